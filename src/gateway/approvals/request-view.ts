/** Access requests as the API shows them, and the words used for them in lists, Status messages and notifications. */
import { formatDuration } from '../../credential/duration.js';
import type { RequestInfo } from '../../kube/types.js';
import { inApproverGroups } from '../../policy/session-approval.js';
import type { AccessRequestRecord, AccessVoteRecord } from '../../store/store.js';
import type { AccessRequestView, AccessVote } from '../../api/wire.js';

/** Who is looking at a request. */
export interface Viewer {
  user: string;
  groups: string[];
  admin: boolean;
}

/** May `viewer` see this request? The requester, its approvers and admins may. */
export function mayView(r: AccessRequestRecord, viewer: Viewer): boolean {
  return viewer.admin || r.user === viewer.user || inApproverGroups(r.approvers, viewer.groups);
}

/** May `viewer` vote on this request now? Only a pending request, never one's own, and only from its approver groups. */
export function mayVote(r: AccessRequestRecord, viewer: Viewer): boolean {
  return r.status === 'pending' && r.user !== viewer.user && inApproverGroups(r.approvers, viewer.groups);
}

function vote(v: AccessVoteRecord): AccessVote {
  return { by: v.approver, at: v.at, ...(v.comment === null ? {} : { comment: v.comment }) };
}

/** Record + votes → wire view; `viewer` decides `canApprove` (none: false). */
export function toView(r: AccessRequestRecord, votes: AccessVoteRecord[], viewer?: Viewer): AccessRequestView {
  const opt = <K extends string, V>(key: K, v: V | null): { [k in K]?: V } => (v === null ? {} : ({ [key]: v } as { [k in K]?: V }));
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    user: r.user,
    connection: r.connection,
    ...opt('role', r.role),
    ...opt('namespace', r.namespace),
    ...opt('reason', r.reason),
    ...opt('ttlSeconds', r.ttlSeconds),
    ...opt('sessionId', r.sessionId),
    ...opt('verb', r.verb),
    ...opt('requestURI', r.requestURI),
    summary: r.summary,
    rule: r.rule,
    approvers: r.approvers,
    minApprovals: r.minApprovals,
    approvals: votes.filter((v) => v.decision === 'approve').map(vote),
    denials: votes.filter((v) => v.decision === 'deny').map(vote),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...opt('decidedAt', r.decidedAt),
    ...opt('validUntil', r.validUntil),
    canApprove: viewer === undefined ? false : mayVote(r, viewer),
  };
}

/** `role edit for 30m` (namespace added when asked for). */
export function sessionSummary(role: string, ttlSeconds: number, namespace: string | null): string {
  return `role ${role} for ${formatDuration(ttlSeconds)}${namespace === null ? '' : ` (namespace ${namespace})`}`;
}

/** kubectl-like words for one request: `delete configmaps cm1 -n demo`, `create pods/exec web -n demo`, `get /metrics`. */
export function commandSummary(info: RequestInfo): string {
  const verb = info.execClass ? 'create' : info.verb;
  if (!info.isResourceRequest) return `${verb} ${info.path}`;
  const resource = `${info.resource}${info.apiGroup === '' ? '' : `.${info.apiGroup}`}${info.subresource === '' ? '' : `/${info.subresource}`}`;
  return `${verb} ${resource}${info.name === '' ? '' : ` ${info.name}`}${info.namespace === '' ? '' : ` -n ${info.namespace}`}`;
}
