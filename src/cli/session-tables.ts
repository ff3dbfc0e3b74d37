/** The tables of `hoopctl connections` and `hoopctl status` (pure: rows in, lines out). */
import { formatDuration } from '../credential/duration.js';
import type { ConnectionSummary } from '../api/wire.js';
import type { LocalSessionStatus } from '../usecases/status.js';
import { renderTable, type TableOptions } from './table.js';
import { formatRelative } from '../credential/time-format.js';

/** `hoopctl connections`: each connection with the caller's roles (`(approval)` when granted only after approval) and TTLs. */
export function formatConnectionRows(items: ConnectionSummary[], opts: TableOptions = {}): string[] {
  const rows = items.map((c) => [
    c.name,
    c.roles.map((r) => (r.approval ? `${r.name} (approval)` : r.name)).join(', ') || '(none)',
    formatDuration(c.defaultTtlSeconds),
    formatDuration(c.maxTtlSeconds),
    c.description ?? '',
  ]);
  return renderTable(
    [{ header: 'CONNECTION' }, { header: 'ROLES', truncate: true }, { header: 'TTL' }, { header: 'MAX TTL' }, { header: 'DESCRIPTION', truncate: true }],
    rows,
    opts,
  );
}

/** `hoopctl status`: local sessions; the one this shell is in (`current`) marked `>`, as tsh marks the active profile. */
export function formatStatusRows(items: LocalSessionStatus[], current: string | undefined, nowMs: number, opts: TableOptions = {}): string[] {
  const rows = items.map((s) => [s.sessionId === current ? '>' : '', s.connection, formatRelative(s.expiresAt, nowMs), s.sessionId, s.kubeconfig]);
  return renderTable(
    [{ header: '' }, { header: 'CONNECTION' }, { header: 'ENDS' }, { header: 'SESSION' }, { header: 'KUBECONFIG', truncate: true }],
    rows,
    opts,
  );
}
