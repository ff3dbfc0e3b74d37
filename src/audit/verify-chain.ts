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

/**
 * Where an earlier pass stopped, all intact: `afterSeq` the last row it read, `head` the last chained event. A pass
 * resumed from it checks only the rows after `afterSeq`, and that the first of them links to `head`.
 */
export interface ChainCheckpoint {
  afterSeq: number;
  head?: ChainLink;
  checked: number;
  unchained: number;
}

/** The checkpoint an intact report leaves (undefined for a broken one: resuming past a problem would hide it). */
export function checkpointOf(report: ChainReport, afterSeq: number): ChainCheckpoint | undefined {
  if (!report.ok) return undefined;
  return { afterSeq, checked: report.checked, unchained: report.unchained, ...(report.head === undefined ? {} : { head: report.head }) };
}

/** Creates a verifier for one pass over the rows; `from`: resume after an earlier intact pass. */
export function createChainVerifier(from?: ChainCheckpoint): ChainVerifier {
  let prev: ChainLink | undefined = from?.head;
  let checked = from?.checked ?? 0;
  let unchained = from?.unchained ?? 0;
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
      if (prev === undefined) {
        unchained++;
        return undefined;
      }
      return { seq, kind: 'unchained', message: `event ${seq} carries no hash: it was written or rewritten outside the gateway` };
    }
    if (e.seq !== seq) return { seq, kind: 'edited', message: `event ${seq} says it is event ${e.seq} (moved or edited)` };
    if (eventHash(e) !== e.hash)
      return { seq, kind: 'edited', message: `event ${seq} (audit id ${e.auditID}) was edited: its content no longer matches its hash` };
    if (row.auditID !== e.auditID || row.session !== e.session || row.user !== e.user || !sameInstant(row.time, e.time)) {
      return {
        seq,
        kind: 'edited',
        message: `event ${seq}: the stored audit id, session, user or time columns were edited (they differ from the hashed event)`,
      };
    }
    if (prev === undefined) {
      if (e.prevHash !== GENESIS_HASH)
        return { seq, kind: 'gap', message: `the events before ${seq} are missing: event ${seq} links to an earlier event that is not stored` };
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

/** How one pass reads. */
export interface VerifyOptions {
  /** Rows per read (default 1000). */
  pageSize?: number;
  /** Resume after an earlier intact pass instead of reading from the first event. */
  from?: ChainCheckpoint;
  /** Awaited between pages, so a caller can let other work run (a gateway yields its event loop here). */
  pause?: () => Promise<void>;
}

/** A report and the checkpoint a later pass can resume from. */
export interface VerifyResult {
  report: ChainReport;
  checkpoint?: ChainCheckpoint;
}

function checkAnchor(row: AuditRow | undefined, head: ChainLink): ChainProblem | undefined {
  const { seq } = head;
  if (row?.seq !== seq) return { seq, kind: 'gap', message: `event ${seq}, verified intact earlier, is missing (deleted)` };
  let e: AuditEvent | undefined;
  try {
    e = JSON.parse(row.eventJson) as AuditEvent;
  } catch {
    e = undefined;
  }
  if (e?.hash !== head.hash || eventHash(e) !== e.hash) return { seq, kind: 'edited', message: `event ${seq}, verified intact earlier, was edited since` };
  return undefined;
}

/** Verifies a stored log (or the part after `from`) page by page; stops at the first problem. */
export async function verifyAuditLogFrom(source: AuditRowSource, options: VerifyOptions = {}): Promise<VerifyResult> {
  const { pageSize = 1000, from, pause } = options;
  if (from?.head !== undefined) {
    // The last event verified before is read again: a resumed pass still notices it deleted or rewritten.
    const problem = checkAnchor((await source.rows(from.head.seq - 1, 1))[0], from.head);
    if (problem !== undefined) return { report: { ok: false, checked: 0, unchained: from.unchained, problem } };
  }
  const verifier = createChainVerifier(from);
  let after = from?.afterSeq ?? 0;
  for (;;) {
    const page = await source.rows(after, pageSize);
    for (const row of page) {
      if (verifier.push(row) !== undefined) return { report: verifier.finish() };
      after = row.seq;
    }
    if (page.length < pageSize) break;
    await pause?.();
  }
  const report = verifier.finish(await source.highWater());
  const checkpoint = checkpointOf(report, after);
  return { report, ...(checkpoint === undefined ? {} : { checkpoint }) };
}

/** Verifies a whole stored log page by page; stops at the first problem. */
export async function verifyAuditLog(source: AuditRowSource, pageSize = 1000): Promise<ChainReport> {
  return (await verifyAuditLogFrom(source, { pageSize })).report;
}
