/** Console pages of access requests: the pending list, one request with its votes, and approve / deny (the `/v1` rules, via AccessRequests). */
import { formatDuration } from '../../credential/duration.js';
import { HoopError } from '../../errors.js';
import type { AccessRequestView } from '../../api/wire.js';
import { reviewedBody } from '../approvals/reviewed-body.js';
import type { GatewayContext } from '../gateway-context.js';
import { html, time, type Html } from './html.js';
import { frame } from './layout.js';
import { scrollTable } from './table.js';
import type { ConsoleSession } from './console-auth.js';

const METHOD_OF: Record<string, string> = {
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
  get: 'GET',
  list: 'GET',
  watch: 'GET',
};
const BODY_PREVIEW_CHARS = 2000;

function actor(s: ConsoleSession): { user: string; groups: string[]; admin: boolean; via: 'id-token' } {
  // A console sign-in is the person's own IdP login, like an ID token (never a session credential).
  return { user: s.user, groups: s.groups, admin: s.admin, via: 'id-token' };
}

function what(r: AccessRequestView): Html {
  return r.kind === 'session'
    ? html`role <strong>${r.role ?? '—'}</strong> on
        <strong>${r.connection}</strong>${r.namespace === undefined ? '' : html` in namespace <strong>${r.namespace}</strong>`} for
        ${r.ttlSeconds === undefined ? '—' : formatDuration(r.ttlSeconds)}`
    : html`<code>${r.summary}</code> on <strong>${r.connection}</strong>`;
}

function votes(r: AccessRequestView): string {
  return `${r.approvals.length}/${r.minApprovals} from ${r.approvers.join(', ')}`;
}

/** `GET /ui/requests[?all=1]`: the requests the person may see; pending ones they may decide come first. */
export async function requestsPage(gw: GatewayContext, s: ConsoleSession, all: boolean, flash?: string): Promise<Html> {
  const items = await gw.requests.list(actor(s), { all });
  items.sort((a, b) => Number(b.canApprove) - Number(a.canApprove) || b.createdAt.localeCompare(a.createdAt));
  const rows = items.map(
    (r) =>
      html`<tr data-request="${r.id}">
        <td><a href="/ui/requests/${r.id}">${r.id}</a></td>
        <td>${r.status}${r.canApprove ? html` <span class="badge">yours to decide</span>` : ''}</td>
        <td>${r.user}</td>
        <td>${r.kind === 'session' ? 'session' : 'command'}: ${what(r)}</td>
        <td>${r.reason ?? '—'}</td>
        <td>${time(r.createdAt)}</td>
        <td>${votes(r)}</td>
      </tr>`,
  );
  const body = html`<p><a href="${all ? '/ui/requests' : '/ui/requests?all=1'}">${all ? 'Show pending only' : 'Show all, decided ones too'}</a></p>
    ${
      items.length === 0
        ? html`<p class="empty">No ${all ? '' : 'pending '}access requests you may see.</p>`
        : scrollTable({
            caption: all ? 'All access requests you may see' : 'Pending access requests',
            columns: ['Id', 'Status', 'Who', 'What', 'Reason', 'Asked', 'Approvals'],
            rows,
          })
    }`;
  return frame({ title: 'Access requests', kind: 'requests', section: 'requests', who: s, body, ...(flash === undefined ? {} : { flash }) });
}

async function bodySection(gw: GatewayContext, r: AccessRequestView): Promise<Html> {
  if (r.kind !== 'command') return html``;
  // This review's own body (found by its id), masked the way every audited body is.
  const body = await reviewedBody(gw.store, r);
  if (body === undefined) return html`<p class="note">The body of this request was not recorded: do not approve a change you have not seen.</p>`;
  if (body.value === null) return html`<p>The request has no body.</p>`;
  let text = JSON.stringify(body.value, null, 2);
  if (text.length > BODY_PREVIEW_CHARS) text = `${text.slice(0, BODY_PREVIEW_CHARS)}\n… (${text.length - BODY_PREVIEW_CHARS} more characters)`;
  return html`<h2>Request body (masked)</h2>
    <pre class="body">${text}</pre>`;
}

/** `GET /ui/requests/:id`: everything an approver needs, and the approve / deny form when they may decide. */
export async function requestPage(gw: GatewayContext, s: ConsoleSession, id: string, flash?: string): Promise<Html> {
  const a = actor(s);
  const r = await gw.requests.view(await gw.requests.getFor(a, id), a);
  const voteList = (label: string, list: AccessRequestView['approvals']): Html =>
    html`<dt>${label}</dt>
      <dd>
        ${
          list.length === 0
            ? '—'
            : html`<ul>
                ${list.map((v) => html`<li>${v.by} at ${time(v.at)}${v.comment === undefined ? '' : html`: “${v.comment}”`}</li>`)}
              </ul>`
        }
      </dd>`;
  const own = r.user === s.user;
  const decide = r.canApprove
    ? html`<form method="post" action="/ui/requests/${r.id}/decide" class="decide">
        <input type="hidden" name="csrf" value="${s.csrf}" />
        <label for="comment">Comment (the requester reads it)</label>
        <textarea id="comment" name="comment" rows="3" maxlength="1000"></textarea>
        <div class="buttons">
          <button type="submit" name="decision" value="approve" class="approve">Approve</button>
          <button type="submit" name="decision" value="deny" class="deny">Deny</button>
        </div>
      </form>`
    : html`<p class="note">
        ${r.status !== 'pending' ? `This request is ${r.status}.` : own ? 'This is your own request: someone else in the approver groups must decide it.' : `Only members of ${r.approvers.join(', ')} may decide this request.`}
      </p>`;
  const command =
    r.kind === 'command'
      ? html`<dt>Request</dt>
          <dd><code>${METHOD_OF[r.verb ?? ''] ?? r.verb ?? '?'} ${r.requestURI ?? ''}</code> (verb ${r.verb ?? '?'})</dd>
          <dt>Session</dt>
          <dd>${r.sessionId === undefined ? '—' : html`<a href="/ui/sessions/${r.sessionId}">${r.sessionId}</a>`}</dd>`
      : html``;
  const body = html`<dl class="facts">
      <dt>Status</dt>
      <dd data-status="${r.status}">${r.status}</dd>
      <dt>Who</dt>
      <dd>${r.user}</dd>
      <dt>Asks for</dt>
      <dd>${what(r)}</dd>
      ${command}
      <dt>Reason</dt>
      <dd>${r.reason ?? '—'}</dd>
      <dt>Asked</dt>
      <dd>${time(r.createdAt)}; expires ${time(r.expiresAt)}</dd>
      <dt>Who was asked</dt>
      <dd>${r.approvers.join(', ')} (${r.minApprovals} approval${r.minApprovals === 1 ? '' : 's'} needed)</dd>
      <dt>Rule</dt>
      <dd><code>${r.rule}</code></dd>
      ${voteList('Approved by', r.approvals)} ${voteList('Denied by', r.denials)}
      ${
        r.decidedAt === undefined
          ? ''
          : html`<dt>Decided</dt>
              <dd>${time(r.decidedAt)}</dd>`
      }
    </dl>
    ${await bodySection(gw, r)} ${decide}
    <p><a href="/ui/requests">All pending requests</a></p>`;
  return frame({ title: `Request ${r.id}`, kind: 'request', section: 'requests', who: s, body, ...(flash === undefined ? {} : { flash }) });
}

/** `POST /ui/requests/:id/decide`: one vote, with the same checks as `hoopctl approve|deny`. */
export async function decideRequest(gw: GatewayContext, s: ConsoleSession, id: string, form: URLSearchParams): Promise<'approve' | 'deny'> {
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'deny') throw new HoopError('usage', 'choose Approve or Deny');
  const comment = (form.get('comment') ?? '').trim();
  if (comment.length > 1000) throw new HoopError('usage', 'the comment is longer than 1000 characters');
  await gw.requests.vote(actor(s), id, decision, comment === '' ? undefined : comment);
  return decision;
}
