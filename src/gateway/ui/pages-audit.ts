/** The audit page: search by person, connection, decision and time; export as JSON lines; the chain's verification status and head hash. */
import { HoopError } from '../../errors.js';
import type { AuditEvent } from '../../audit/audit-event.js';
import type { GatewayContext } from '../gateway-context.js';
import { html, type Html } from './html.js';
import { frame } from './layout.js';
import { requestTable } from './pages-sessions.js';
import type { ConsoleSession } from './console-auth.js';

const SHOWN = 200;
const EXPORTED = 5000;
const DECISIONS = ['allow', 'deny', 'approval'] as const;

function timeParam(q: URLSearchParams, key: string): string | undefined {
  const v = (q.get(key) ?? '').trim();
  if (v === '') return undefined;
  // `<input type="datetime-local">` sends no zone; the page says times are UTC.
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(t)) throw new HoopError('usage', `${key}=${JSON.stringify(v)} is not a time (use 2026-12-02T13:00)`);
  return new Date(t).toISOString();
}

/** The events matching the search; people search their own events, admins everyone's. */
export async function searchAudit(gw: GatewayContext, s: ConsoleSession, q: URLSearchParams, limit: number): Promise<AuditEvent[]> {
  const userQ = (q.get('user') ?? '').trim();
  const user = s.admin ? (userQ === '' ? undefined : userQ) : s.user;
  const connection = (q.get('connection') ?? '').trim();
  const decision = (q.get('decision') ?? '').trim();
  if (decision !== '' && !(DECISIONS as readonly string[]).includes(decision)) throw new HoopError('usage', `decision must be one of ${DECISIONS.join(', ')}`);
  const since = timeParam(q, 'since');
  const until = timeParam(q, 'until');
  // The store filters by person and start time; the rest is filtered here over a bounded window.
  const rows = await gw.store.listAudit({ ...(user === undefined ? {} : { user }), ...(since === undefined ? {} : { since }), limit: EXPORTED });
  return rows
    .filter(
      (e) => (connection === '' || e.connection === connection) && (decision === '' || e.decision === decision) && (until === undefined || e.time <= until),
    )
    .sort((a, b) => b.time.localeCompare(a.time))
    .slice(0, limit);
}

/** `GET /ui/audit/export?…`: the same search as JSON lines (one audit event per line, as stored). */
export async function exportAudit(gw: GatewayContext, s: ConsoleSession, q: URLSearchParams): Promise<string> {
  return (await searchAudit(gw, s, q, EXPORTED)).map((e) => JSON.stringify(e)).join('\n') + '\n';
}

async function chainStatus(gw: GatewayContext, s: ConsoleSession): Promise<Html> {
  if (!s.admin) return html`<p class="note">Only gateway admins see the chain's verification status.</p>`;
  // Resumed where this gateway last found the chain intact; `hoopctl audit verify` re-reads it all.
  const report = await gw.auditChain.current();
  return html`<section class="chain ${report.ok ? 'ok' : 'broken'}" aria-labelledby="chain-h">
    <h2 id="chain-h">Chain</h2>
    <p data-chain="${report.ok ? 'ok' : 'broken'}">
      ${report.ok ? `Verified: ${report.checked} chained events intact` : `BROKEN: ${report.problem?.message ?? 'unknown problem'} (at seq ${report.problem?.seq ?? '?'})`}${report.unchained > 0 ? `, ${report.unchained} older unchained` : ''}.
    </p>
    ${report.head === undefined ? '' : html`<p>Head: seq ${report.head.seq}, hash <code class="hash">${report.head.hash}</code> — keep it elsewhere to detect a rewrite of the whole log.</p>`}
    <p class="note">
      This gateway checks the events added since its last check; <code>hoopctl audit verify</code> re-checks every event (an older event edited after it was
      checked shows only there).
    </p>
  </section>`;
}

/** `GET /ui/audit?user=&connection=&decision=&since=&until=`. */
export async function auditPage(gw: GatewayContext, s: ConsoleSession, q: URLSearchParams): Promise<Html> {
  const events = await searchAudit(gw, s, q, SHOWN);
  const v = (k: string): string => q.get(k) ?? '';
  const decision = v('decision');
  const body = html`${await chainStatus(gw, s)}
    <form method="get" action="/ui/audit" class="filters">
      <label>Person <input name="user" value="${s.admin ? v('user') : s.user}" ${s.admin ? '' : html` readonly`} autocomplete="off" /></label>
      <label>Connection <input name="connection" value="${v('connection')}" autocomplete="off" /></label>
      <label
        >Decision
        <select name="decision">
          <option value="">any</option>
          ${DECISIONS.map((d) => html`<option value="${d}" ${d === decision ? html` selected` : ''}>${d}</option>`)}
        </select></label
      >
      <label>From (UTC) <input type="datetime-local" name="since" value="${v('since')}" /></label>
      <label>To (UTC) <input type="datetime-local" name="until" value="${v('until')}" /></label>
      <button type="submit">Search</button>
    </form>
    <p><a href="/ui/audit/export?${q.toString()}" download="hoopctl-audit.jsonl">Export these events (JSON lines)</a></p>
    ${requestTable(events, true)}`;
  return frame({ title: 'Audit', kind: 'audit', section: 'audit', who: s, body });
}
