/**
 * The human view of `hoopctl audit`: a table of the compact columns (all of them with `-o wide`), `deny`
 * in red, and discovery requests (what every kubectl command asks first: `/api`, `/apis/…`, `/version`,
 * `/openapi/…`, `/.well-known/…`) folded away unless `--all` asks for them. JSON output is never folded.
 */
import type { AuditEvent } from '../audit/audit-event.js';
import { formatTime } from '../credential/time-format.js';
import { sessionIdCell } from './cmd-sessions.js';
import { renderTable, type Column, type TableOptions } from './table.js';

// /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION (kube-apiserver's discovery documents), /version,
// /openapi/v2, /openapi/v3[/…], /.well-known/openid-configuration and the like.
const DISCOVERY = /^\/(?:api(?:\/[^/]+)?|apis(?:\/[^/]+){0,2}|version|openapi(?:\/.*)?|\.well-known(?:\/.*)?)\/?$/;

/** True for an allowed read of a discovery document: the requests kubectl makes before the one the person typed. */
export function isDiscoveryEvent(e: AuditEvent): boolean {
  if (e.resource !== null || e.decision !== 'allow' || e.verb !== 'get') return false;
  return DISCOVERY.test(e.requestURI.split('?')[0] ?? '');
}

/** The events to show and how many discovery requests were left out (none with `all`). */
export function foldDiscovery(events: AuditEvent[], all: boolean): { shown: AuditEvent[]; folded: number } {
  if (all) return { shown: events, folded: 0 };
  const shown = events.filter((e) => !isDiscoveryEvent(e));
  return { shown, folded: events.length - shown.length };
}

/**
 * One event per request: kube-apiserver's stages (`RequestReceived`, `ResponseStarted`, `ResponseComplete`) of one
 * audit id collapse into the last one seen, which has the final status, at the place of the first.
 */
export function lastStagePerRequest(events: AuditEvent[]): AuditEvent[] {
  const at = new Map<string, number>();
  const out: AuditEvent[] = [];
  for (const e of events) {
    const i = at.get(e.auditID);
    if (i === undefined) {
      at.set(e.auditID, out.length);
      out.push(e);
    } else {
      out[i] = e;
    }
  }
  return out;
}

/** What a request was about: `pods/exec web-1 -n demo`, or the path of a non-resource request. */
export function auditWhat(e: AuditEvent): string {
  return e.resource === null
    ? e.requestURI
    : // A namespace's own namespace is itself (as kube-apiserver's RequestInfo has it): `namespaces demo`, not `… -n demo`.
      `${e.resource}${e.subresource ? `/${e.subresource}` : ''}${e.name ? ` ${e.name}` : ''}${e.namespace && e.resource !== 'namespaces' ? ` -n ${e.namespace}` : ''}`;
}

/** The REQUEST cell: the verb and what it was about, read like the kubectl command (`delete namespaces kube-system`, `get /api`). */
export function auditRequest(e: AuditEvent): string {
  return `${e.verb} ${auditWhat(e)}`;
}

/** Colours a decision (deny and error red, approval yellow) with the given paint, e.g. a chalk instance of stdout. */
export type DecisionPaint = { red(s: string): string; yellow(s: string): string };

function decisionPainter(paint: DecisionPaint | undefined): ((text: string) => string) | undefined {
  if (paint === undefined) return undefined;
  return (text) => (text === 'deny' || text === 'error' ? paint.red(text) : text === 'approval' ? paint.yellow(text) : text);
}

/** How the audit table is drawn. */
export interface AuditTableOptions extends TableOptions {
  /** `-o wide`: adds CONNECTION, CODE (the HTTP status) and RULE. */
  wide?: boolean;
  paint?: DecisionPaint;
  /** Zone of the TIME column in minutes east of UTC (default: the local zone). */
  offsetMinutes?: number;
}

/** The lines of the audit table, header first; with `header: false`, only the rows (for `--follow`'s later pages). */
export function formatAuditRows(events: AuditEvent[], opts: AuditTableOptions = {}, header = true): string[] {
  const paint = decisionPainter(opts.paint);
  const decision: Column = paint === undefined ? { header: 'DECISION' } : { header: 'DECISION', paint };
  const columns: Column[] =
    opts.wide === true
      ? [
          { header: 'TIME' },
          { header: 'SESSION' },
          { header: 'USER' },
          { header: 'CONNECTION' },
          decision,
          { header: 'CODE' },
          { header: 'REQUEST', truncate: true },
          { header: 'RULE', truncate: true },
        ]
      : // The compact view fits 80 columns with a 17-character user and leaves the request 16 or more.
        [{ header: 'TIME' }, { header: 'SESSION' }, { header: 'USER' }, decision, { header: 'REQUEST', truncate: true }];
  const rows = events.map((e) => {
    const time = formatTime(e.time, opts.offsetMinutes);
    const session = sessionIdCell(e.session, opts.width);
    const user = e.user ?? '-';
    const request = auditRequest(e);
    return opts.wide === true
      ? [time, session, user, e.connection ?? '-', e.decision, e.responseStatus === null ? '-' : String(e.responseStatus), request, e.rule ?? '']
      : [time, session, user, e.decision, request];
  });
  const lines = renderTable(columns, rows, opts.width === undefined ? {} : { width: opts.width });
  return header ? lines : lines.slice(1);
}
