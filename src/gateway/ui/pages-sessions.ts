/** Console pages of sessions: the list (active / ended, by person and connection), one session with its requests and recordings, and revoke. */
import { HoopError } from '../../errors.js';
import type { SessionRecord } from '../../store/store.js';
import type { GatewayContext } from '../gateway-context.js';
import { recordingTitle, shownRecording } from '../v1-recordings.js';
import { finishEndSession } from '../v1-sessions.js';
import { html, time, type Html } from './html.js';
import { frame } from './layout.js';
import { scrollTable } from './table.js';
import type { ConsoleSession } from './console-auth.js';

const EVENTS_SHOWN = 500;

function isActive(r: SessionRecord, nowMs: number): boolean {
  return r.endedAt === null && Date.parse(r.expiresAt) > nowMs;
}

function stateOf(r: SessionRecord, nowMs: number): string {
  if (r.endedAt !== null) return `ended ${r.endReason ?? ''}`.trim();
  return Date.parse(r.expiresAt) > nowMs ? 'active' : 'expired';
}

/** The session when `s` may see it: its owner or an admin (404 otherwise: no one learns that an id exists). */
export async function sessionFor(gw: GatewayContext, s: ConsoleSession, id: string): Promise<SessionRecord> {
  const r = await gw.store.getSession(id);
  if (r === undefined || (r.user !== s.user && !s.admin)) throw new HoopError('not_found', `no session ${id} that you may see`);
  return r;
}

/** `GET /ui/sessions?state=&user=&connection=`: people see their own sessions, admins everyone's. */
export async function sessionsPage(gw: GatewayContext, s: ConsoleSession, q: URLSearchParams, flash?: string): Promise<Html> {
  const state = q.get('state') ?? 'active';
  const userQ = (q.get('user') ?? '').trim();
  const connQ = (q.get('connection') ?? '').trim();
  const user = s.admin ? (userQ === '' ? undefined : userQ) : s.user;
  const now = gw.now();
  const all = await gw.store.listSessions(user === undefined ? {} : { user });
  const rows = all
    .filter((r) => connQ === '' || r.connection === connQ)
    .filter((r) => state === 'all' || (state === 'active') === isActive(r, now))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const option = (v: string, label: string): Html => html`<option value="${v}" ${state === v ? html` selected` : ''}>${label}</option>`;
  const body = html`<form method="get" action="/ui/sessions" class="filters">
      <label
        >State
        <select name="state">
          ${option('active', 'Active')}${option('ended', 'Ended')}${option('all', 'All')}
        </select></label
      >
      <label>Person <input name="user" value="${s.admin ? userQ : s.user}" ${s.admin ? '' : html` readonly`} autocomplete="off" /></label>
      <label>Connection <input name="connection" value="${connQ}" list="connections" autocomplete="off" /></label>
      <datalist id="connections">${gw.config.connections.map((c) => html`<option value="${c.name}"></option>`)}</datalist>
      <button type="submit">Filter</button>
    </form>
    ${
      rows.length === 0
        ? html`<p class="empty">No sessions match.</p>`
        : scrollTable({
            caption: `${rows.length} session${rows.length === 1 ? '' : 's'}`,
            columns: ['Session', 'Person', 'Connection', 'Role', 'Started', 'Expires', 'State'],
            rows: rows.map(
              (r) =>
                html`<tr data-session="${r.id}">
                  <td><a href="/ui/sessions/${r.id}">${r.id.slice(0, 8)}</a></td>
                  <td>${r.user}</td>
                  <td>${r.connection}${r.namespace === null ? '' : ` (${r.namespace})`}</td>
                  <td>${r.role ?? 'default'}</td>
                  <td>${time(r.createdAt)}</td>
                  <td>${time(r.expiresAt)}</td>
                  <td>${stateOf(r, now)}</td>
                </tr>`,
            ),
          })
    }`;
  return frame({ title: 'Sessions', kind: 'sessions', section: 'sessions', who: s, body, ...(flash === undefined ? {} : { flash }) });
}

/** `GET /ui/sessions/:id`: facts, the requests it made with decision and rule, its recordings, and the way to revoke it. */
export async function sessionPage(gw: GatewayContext, s: ConsoleSession, id: string, flash?: string): Promise<Html> {
  const r = await sessionFor(gw, s, id);
  const now = gw.now();
  const events = (await gw.store.listAudit({ session: id, limit: EVENTS_SHOWN })).sort((a, b) => a.time.localeCompare(b.time));
  const recordings = (await gw.store.listRecordings(id)).map((x) => shownRecording(gw, x));
  const body = html`<dl class="facts">
      <dt>Session</dt>
      <dd><code>${r.id}</code></dd>
      <dt>Person</dt>
      <dd>${r.user} (${r.groups.join(', ')})</dd>
      <dt>Connection</dt>
      <dd>${r.connection}${r.namespace === null ? '' : ` — namespace ${r.namespace}`}</dd>
      <dt>Role</dt>
      <dd>${r.role ?? 'default roles'}</dd>
      <dt>Reason</dt>
      <dd>${r.reason ?? '—'}</dd>
      <dt>Started</dt>
      <dd>${time(r.createdAt)}</dd>
      <dt>Expires</dt>
      <dd>${time(r.expiresAt)}</dd>
      <dt>State</dt>
      <dd data-state="${isActive(r, now) ? 'active' : 'ended'}">${stateOf(r, now)}</dd>
    </dl>
    ${isActive(r, now) ? html`<p><a class="button danger" href="/ui/sessions/${r.id}/revoke">Revoke this session…</a></p>` : ''}
    <h2>Recordings</h2>
    ${
      recordings.length === 0
        ? html`<p class="empty">No exec or attach was recorded.</p>`
        : html`<ul class="recordings">
            ${recordings.map((x) => html`<li><a href="/ui/recordings/${x.id}">${recordingTitle(x)}</a> — ${time(x.startedAt)}${x.exitCode === null ? '' : `, exit ${x.exitCode}`}${x.truncated ? ' (truncated)' : ''}</li>`)}
          </ul>`
    }
    <h2>Requests</h2>
    ${requestTable(events)}`;
  return frame({ title: `Session ${r.id.slice(0, 8)}`, kind: 'session', section: 'sessions', who: s, body, ...(flash === undefined ? {} : { flash }) });
}

/** The audit events as a table: time, verb, what, decision, the rule that decided, status. */
export function requestTable(
  events: {
    time: string;
    verb: string;
    requestURI: string;
    decision: string;
    rule: string | null;
    responseStatus: number | null;
    user?: string | null;
    connection?: string | null;
  }[],
  withWho = false,
): Html {
  if (events.length === 0) return html`<p class="empty">No events.</p>`;
  return scrollTable({
    className: 'events',
    columns: ['Time', ...(withWho ? ['Person', 'Connection'] : []), 'Verb', 'Request', 'Decision', 'Rule', 'Status'],
    rows: events.map(
      (e) =>
        html`<tr class="decision-${e.decision}">
          <td>${time(e.time)}</td>
          ${
            withWho
              ? html`<td>${e.user ?? '—'}</td>
                  <td>${e.connection ?? '—'}</td>`
              : ''
          }
          <td>${e.verb}</td>
          <td><code>${e.requestURI}</code></td>
          <td>${e.decision}</td>
          <td>${e.rule ?? '—'}</td>
          <td>${e.responseStatus ?? '—'}</td>
        </tr>`,
    ),
  });
}

/** `GET /ui/sessions/:id/revoke`: the confirmation step (a form, so it works without JavaScript). */
export async function revokeConfirmPage(gw: GatewayContext, s: ConsoleSession, id: string): Promise<Html> {
  const r = await sessionFor(gw, s, id);
  const body = html`<p>
      Revoke session <code>${r.id}</code> of <strong>${r.user}</strong> on <strong>${r.connection}</strong>? Every open kubectl connection of it (watch, logs,
      exec) is cut at once and its credential stops working.
    </p>
    <form method="post" action="/ui/sessions/${r.id}/revoke">
      <input type="hidden" name="csrf" value="${s.csrf}" />
      <button type="submit" class="danger">Revoke session</button> <a href="/ui/sessions/${r.id}">Cancel</a>
    </form>`;
  return frame({ title: 'Revoke session?', kind: 'revoke', section: 'sessions', who: s, body });
}

/** `POST /ui/sessions/:id/revoke`: the owner or an admin ends the session (as `DELETE /v1/sessions/:id` does). */
export async function revokeSession(
  gw: GatewayContext,
  s: ConsoleSession,
  id: string,
  origin: { userAgent: string | null; sourceIP: string | null },
): Promise<void> {
  await sessionFor(gw, s, id);
  await finishEndSession(gw, id, s.user, 'revoked', origin);
}
