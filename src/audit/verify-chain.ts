/**
 * Verifies a stored audit chain row by row (so a large table can be read in pages) and reports the
 * first problem: an edited event (its hash or its indexed columns no longer match), a gap (events
 * deleted), a broken link, or an event outside the chain.
 */
import type { AuditEvent } from './audit-event.js';
import { eventHash, GENESIS_HASH, type ChainLink } from './hash-chain.js';

/** A stored row: the columns the store indexes next to the event JSON it wrote. */
export interface AuditRow {
  seq: number;
  auditID: string;
  time: string;
  session: string | null;
  user: string | null;
  eventJson: string;
}

/** What is wrong at `seq`. */
export interface ChainProblem {
  seq: number;
  kind: 'edited' | 'gap' | 'broken-link' | 'unchained' | 'unparseable';
  message: string;
}

/** Result of a verification. */
export interface ChainReport {
  ok: boolean;
  /** Chained events checked. */
  checked: number;
  /** Events before the first chained one (written before the chain existed); not verifiable. */
  unchained: number;
  /** The last good link: anchor it elsewhere (a SIEM, a ticket) to detect a rewrite of the whole chain. */
  head?: ChainLink;
  problem?: ChainProblem;
}

/** A streaming verifier: push rows in seq order, stop at the first problem, then `finish`. */
export interface ChainVerifier {
  /** Returns the problem found at this row, if any (later pushes are ignored). */
  push(row: AuditRow): ChainProblem | undefined;
  /** `highWater`: the highest seq the store ever assigned, when it knows (catches deleted tail events). */
  finish(highWater?: number): ChainReport;
}

function sameInstant(a: string, b: string): boolean {
  return Date.parse(a) === Date.parse(b);
}

/** Creates a verifier for one pass over the rows. */
export function createChainVerifier(): ChainVerifier {
  let prev: ChainLink | undefined;
  let checked = 0;
  let unchained = 0;
  let problem: ChainProblem | undefined;

  function check(row: AuditRow): ChainProblem | undefined {
    const { seq } = row;
    let e: AuditEvent;
    try {
      e = JSON.parse(row.eventJson) as AuditEvent;
    } catch {
      return { seq, kind: 'unparseable', message: `event ${seq} is not valid JSON (edited)` };
    }
    if (typeof e.hash !== 'string' || typeof e.seq !== 'number') {
      if (prev === undefined) { unchained++; return undefined; }
      return { seq, kind: 'unchained', message: `event ${seq} carries no hash: it was written or rewritten outside the gateway` };
    }
    if (e.seq !== seq) return { seq, kind: 'edited', message: `event ${seq} says it is event ${e.seq} (moved or edited)` };
    if (eventHash(e) !== e.hash) return { seq, kind: 'edited', message: `event ${seq} (audit id ${e.auditID}) was edited: its content no longer matches its hash` };
    if (row.auditID !== e.auditID || row.session !== e.session || row.user !== e.user || !sameInstant(row.time, e.time)) {
      return { seq, kind: 'edited', message: `event ${seq}: the stored audit id, session, user or time columns were edited (they differ from the hashed event)` };
    }
    if (prev === undefined) {
      if (e.prevHash !== GENESIS_HASH) return { seq, kind: 'gap', message: `the events before ${seq} are missing: event ${seq} links to an earlier event that is not stored` };
    } else if (seq !== prev.seq + 1) {
      const missing = seq - prev.seq - 1 === 1 ? `event ${prev.seq + 1} is` : `events ${prev.seq + 1}–${seq - 1} are`;
      return { seq, kind: 'gap', message: `${missing} missing (deleted) between events ${prev.seq} and ${seq}` };
    } else if (e.prevHash !== prev.hash) {
      return { seq, kind: 'broken-link', message: `event ${seq} does not link to event ${prev.seq}: event ${prev.seq} was replaced` };
    }
    prev = { seq, hash: e.hash };
    checked++;
    return undefined;
  }

  return {
    push(row) {
      if (problem !== undefined) return undefined;
      problem = check(row);
      return problem;
    },
    finish(highWater) {
      if (problem === undefined && highWater !== undefined && highWater > (prev?.seq ?? 0) && (prev !== undefined || unchained === 0)) {
        const from = (prev?.seq ?? 0) + 1;
        problem = { seq: from, kind: 'gap', message: `events ${from}–${highWater} are missing (deleted) at the end of the log` };
      }
      return { ok: problem === undefined, checked, unchained, ...(prev === undefined ? {} : { head: prev }), ...(problem === undefined ? {} : { problem }) };
    },
  };
}

/** Reads stored rows in seq order, page by page. */
export interface AuditRowSource {
  rows(afterSeq: number, limit: number): Promise<AuditRow[]>;
  highWater(): Promise<number | undefined>;
}

/** Verifies a whole stored log page by page; stops at the first problem. */
export async function verifyAuditLog(source: AuditRowSource, pageSize = 1000): Promise<ChainReport> {
  const verifier = createChainVerifier();
  let after = 0;
  for (;;) {
    const page = await source.rows(after, pageSize);
    for (const row of page) {
      if (verifier.push(row) !== undefined) return verifier.finish();
      after = row.seq;
    }
    if (page.length < pageSize) break;
  }
  return verifier.finish(await source.highWater());
}
