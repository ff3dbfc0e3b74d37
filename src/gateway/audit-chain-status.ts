/**
 * The audit chain's verification status as this gateway process knows it. Verifying reads and hashes every row, so
 * the gateway never does it in one go: it reads pages and yields its event loop between them (the store may be
 * synchronous SQLite), remembers where the last intact pass ended (in memory, per process) so the console's status
 * checks only what was appended since, and lets concurrent callers share one pass. `full()` re-reads from the first
 * event, as `hoopctl audit verify` asks for; the status after a resumed pass still notices the last verified event
 * deleted or rewritten, but an older event edited after it was verified only shows in a full pass.
 */
import { verifyAuditLogFrom, type AuditRowSource, type ChainCheckpoint, type ChainReport } from '../audit/verify-chain.js';

/** Rows read (and hashed) between two yields of the event loop. */
export const VERIFY_PAGE_ROWS = 256;

/** The chain status of one gateway process. */
export interface AuditChainStatus {
  /** Checks the events appended since the last intact pass (all of them the first time). */
  current(): Promise<ChainReport>;
  /** Checks every event from the first. */
  full(): Promise<ChainReport>;
}

const yieldLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Creates the status over `source`; `pageRows` rows are read per page. */
export function createAuditChainStatus(source: AuditRowSource, pageRows = VERIFY_PAGE_ROWS): AuditChainStatus {
  let checkpoint: ChainCheckpoint | undefined;
  // Bumped by every broken report: a pass that started before it must not leave a checkpoint past the problem.
  let breaks = 0;
  const running: { current?: Promise<ChainReport> | undefined; full?: Promise<ChainReport> | undefined } = {};

  async function pass(from: ChainCheckpoint | undefined): Promise<ChainReport> {
    // Yield first, so even the first page is read outside the request that asked.
    await yieldLoop();
    const started = breaks;
    const { report, checkpoint: next } = await verifyAuditLogFrom(source, { pageSize: pageRows, pause: yieldLoop, ...(from === undefined ? {} : { from }) });
    if (!report.ok) {
      // A broken chain is checked from the first event next time: what is wrong may be repaired, or be more.
      breaks++;
      checkpoint = undefined;
    } else if (started === breaks) {
      checkpoint = next;
    }
    return report;
  }

  function shared(kind: 'current' | 'full'): Promise<ChainReport> {
    const inFlight = running[kind];
    if (inFlight !== undefined) return inFlight;
    const p = pass(kind === 'full' ? undefined : checkpoint).finally(() => {
      running[kind] = undefined;
    });
    running[kind] = p;
    return p;
  }

  return { current: () => shared('current'), full: () => shared('full') };
}
