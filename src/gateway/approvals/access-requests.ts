/**
 * The gateway's access requests: record, vote, withdraw, expire and use them. What an event does is decided by
 * request-lifecycle.ts (pure); this writes it. Every change is audited, announced to the notification targets
 * (in the background) and wakes long-polls. The store's compare-and-set keeps each transition single even with
 * concurrent votes or uses.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HoopError } from '../../errors.js';
import type { AccessRequestPatch, AccessRequestRecord, AccessRequestStatus, Store } from '../../store/store.js';
import type { AccessRequestView } from '../../api/wire.js';
import type { GatewayConfig } from '../config.js';
import { requestNotifications, type RequestEvent } from '../notify/messages.js';
import type { Notifier } from '../notify/notifier.js';
import { auditEvent } from '../../audit/audit-event.js';
import { advanceAccessRequest, voterRefusal, type Actor, type LifecycleEvent, type LifecycleRefusal, type LifecycleStep } from './request-lifecycle.js';
import { mayView, toView, type Viewer } from './request-view.js';

/** Everything the access-request service needs. */
export interface AccessRequestsDeps {
  store: Store;
  config: Pick<GatewayConfig, 'approvals' | 'notifications'>;
  publicUrl: string;
  now: () => number;
  log: (line: string) => void;
  notifier: Notifier;
}

/** A new request before it is stored: everything but id, status, times and use counters. */
export type NewAccessRequest = Omit<
  AccessRequestRecord,
  'id' | 'status' | 'createdAt' | 'expiresAt' | 'decidedAt' | 'validUntil' | 'uses' | 'usedAt' | 'usedMethod'
> & {
  /** Upper bound for expiresAt and validUntil (e.g. the end of the session a review belongs to). */
  notAfterMs?: number;
  /**
   * Command reviews: the request body as the audit records it (masked; null: no body). Kept on the `request.created`
   * audit event, where approvers' views find it by the request's id (reviewed-body.ts), not on the request row.
   */
  requestObject?: unknown;
};

/** The service. */
export interface AccessRequests {
  create(input: NewAccessRequest): Promise<AccessRequestRecord>;
  /** The request after lazy expiry, or undefined. */
  get(id: string): Promise<AccessRequestRecord | undefined>;
  /** Open or used command reviews with this fingerprint, newest first (not yet settled). */
  byFingerprint(fingerprint: string): Promise<AccessRequestRecord[]>;
  /** The request for a caller who may see it (404 otherwise: no one learns that an id exists). */
  getFor(actor: Viewer, id: string): Promise<AccessRequestRecord>;
  list(actor: Viewer, opts: { all: boolean }): Promise<AccessRequestView[]>;
  view(r: AccessRequestRecord, viewer?: Viewer): Promise<AccessRequestView>;
  vote(actor: Actor, id: string, decision: 'approve' | 'deny', comment: string | undefined): Promise<AccessRequestView>;
  withdraw(actor: Actor, id: string): Promise<AccessRequestView>;
  /** Compare-and-set used by the session claim and the command review. */
  transition(r: AccessRequestRecord, patch: AccessRequestPatch): Promise<boolean>;
  /** Resolves when request `id` changes, or after `ms`, or when `signal` aborts. */
  waitForChange(id: string, ms: number, signal: AbortSignal): Promise<void>;
  /** Expires every overdue pending request (also runs on a timer). */
  sweep(): Promise<void>;
  close(): void;
}

const SWEEP_MS = 15_000;
const LIST_LIMIT = 200;
const OPEN: AccessRequestStatus[] = ['pending', 'approved'];

/** Short ids people can type: 12 hex digits (48 random bits; ids are not secrets, every use is authorized). */
export function newRequestId(): string {
  return randomBytes(6).toString('hex');
}

function refusalError(r: LifecycleRefusal): HoopError {
  return new HoopError(r.code, r.message, r.hint === undefined ? {} : { hint: r.hint });
}

/** Long-polls waiting on a request: woken when it changes (or a vote arrives), on timeout or abort. */
function createChangeWaiters(): Pick<AccessRequests, 'waitForChange'> & { wake(id: string): void; wakeAll(): void } {
  const waiters = new Map<string, Set<() => void>>();
  function wake(id: string): void {
    const set = waiters.get(id);
    if (set === undefined) return;
    waiters.delete(id);
    for (const w of set) w();
  }
  return {
    wake,
    wakeAll: () => {
      for (const id of [...waiters.keys()]) wake(id);
    },
    waitForChange(id, ms, signal) {
      return new Promise((resolve) => {
        let set = waiters.get(id);
        if (set === undefined) waiters.set(id, (set = new Set()));
        const done = (): void => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          set.delete(done);
          if (set.size === 0 && waiters.get(id) === set) waiters.delete(id);
          resolve();
        };
        const t = setTimeout(done, ms);
        set.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };
}

/** Creates the service and starts its expiry sweep. */
export function createAccessRequests(d: AccessRequestsDeps): AccessRequests {
  const { wake, waitForChange, wakeAll } = createChangeWaiters();
  const iso = (ms: number): string => new Date(ms).toISOString();

  async function announce(
    event: RequestEvent,
    r: AccessRequestRecord,
    actor: string | null,
    message: string,
    body?: { requestObject: unknown },
  ): Promise<void> {
    wake(r.id);
    const votes = await d.store.listAccessVotes(r.id).catch(() => []);
    d.notifier.send(requestNotifications(d.config.notifications, d.publicUrl, event, toView(r, votes), actor));
    await d.store.appendAudit(
      auditEvent({
        auditID: randomUUID(),
        stage: 'AccessRequest',
        time: iso(d.now()),
        session: r.sessionId,
        user: actor ?? r.user,
        groups: actor === null || actor === r.user ? r.groups : [],
        connection: r.connection,
        verb: event.slice('request.'.length),
        requestURI: `/v1/requests/${r.id}`,
        decision: event === 'request.approved' ? 'allow' : event === 'request.created' || event === 'request.voted' ? 'approval' : 'deny',
        rule: r.rule,
        namespace: r.namespace,
        message: `${r.kind} request ${r.id} of ${r.user}: ${r.summary}; ${message}`,
        ...(body === undefined ? {} : { requestObject: body.requestObject }),
      }),
    );
  }

  async function reread(id: string): Promise<AccessRequestRecord> {
    const r = await d.store.getAccessRequest(id);
    if (r === undefined) throw new HoopError('not_found', `no access request ${id}`);
    return r;
  }

  async function transition(r: AccessRequestRecord, patch: AccessRequestPatch): Promise<boolean> {
    const ok = await d.store.updateAccessRequest(r.id, { status: r.status, uses: r.uses }, patch);
    if (ok) wake(r.id);
    return ok;
  }

  function advance(r: AccessRequestRecord, event: LifecycleEvent): Extract<LifecycleStep, { kind: 'next' }> {
    const step = advanceAccessRequest(r, event, d.now(), d.config.approvals);
    if (step.kind === 'refused') throw refusalError(step.refusal);
    return step;
  }

  /** Writes a decided step (compare-and-set) and announces it; nothing is announced when another writer changed the request first. */
  async function apply(r: AccessRequestRecord, step: Extract<LifecycleStep, { kind: 'next' }>, actor: string): Promise<void> {
    if (step.patch !== undefined && !(await transition(r, step.patch))) return;
    if (step.notice !== undefined) await announce(step.notice.event, step.patch === undefined ? r : await reread(r.id), actor, step.notice.message);
  }

  // Expiry is applied when a request is read, so a request is never usable past its time even between sweeps.
  async function settle(r: AccessRequestRecord): Promise<AccessRequestRecord> {
    const { patch, notice } = advance(r, { type: 'tick' });
    if (patch === undefined) return r;
    if ((await transition(r, patch)) && notice !== undefined) {
      const expired = await reread(r.id);
      await announce(notice.event, expired, null, notice.message).catch((e: unknown) => d.log(`audit of expiry failed: ${(e as Error).message}`));
      return expired;
    }
    return reread(r.id);
  }

  async function getFor(actor: Viewer, id: string): Promise<AccessRequestRecord> {
    const found = await d.store.getAccessRequest(id);
    if (found === undefined || !mayView(found, actor))
      throw new HoopError('not_found', `no access request ${id} that you may see`, { hint: 'run hoopctl requests' });
    return settle(found);
  }

  async function view(r: AccessRequestRecord, viewer?: Viewer): Promise<AccessRequestView> {
    return toView(r, await d.store.listAccessVotes(r.id), viewer);
  }

  async function sweep(): Promise<void> {
    const overdue = (await d.store.listAccessRequests({ status: OPEN, limit: 1000 })).filter(
      (r) => Date.parse(r.status === 'pending' ? r.expiresAt : (r.validUntil ?? r.expiresAt)) <= d.now(),
    );
    for (const r of overdue) await settle(r);
  }
  const timer = setInterval(() => {
    sweep().catch((e: unknown) => d.log(`access request sweep failed: ${(e as Error).message}`));
  }, SWEEP_MS);
  timer.unref();

  return {
    async create(input) {
      const now = d.now();
      const cap = input.notAfterMs ?? Infinity;
      const { notAfterMs: _, requestObject, ...fields } = input;
      const r: AccessRequestRecord = {
        ...fields,
        id: newRequestId(),
        status: 'pending',
        createdAt: iso(now),
        expiresAt: iso(Math.min(now + d.config.approvals.requestTtlSeconds * 1000, cap)),
        decidedAt: null,
        validUntil: null,
        uses: 0,
        usedAt: null,
        usedMethod: null,
      };
      await d.store.createAccessRequest(r);
      await announce(
        'request.created',
        r,
        r.user,
        input.reason === null ? 'no reason given' : `reason: ${input.reason}`,
        r.kind === 'command' ? { requestObject: requestObject ?? null } : undefined,
      );
      return r;
    },
    async get(id) {
      const r = await d.store.getAccessRequest(id);
      return r === undefined ? undefined : settle(r);
    },
    byFingerprint: (fingerprint) => d.store.listAccessRequests({ fingerprint, status: ['pending', 'approved', 'used'], limit: 20 }),
    getFor,
    async list(actor, opts) {
      const rows = await d.store.listAccessRequests({ ...(opts.all ? {} : { status: ['pending'] }), limit: LIST_LIMIT });
      const out: AccessRequestView[] = [];
      for (const row of rows.filter((r) => mayView(r, actor))) {
        const r = await settle(row);
        if (opts.all || r.status === 'pending') out.push(await view(r, actor));
      }
      return out;
    },
    view,
    async vote(actor, id, decision, comment) {
      const notVoter = voterRefusal(actor);
      if (notVoter !== undefined) throw refusalError(notVoter);
      const event = { type: 'vote', actor, decision, comment: comment ?? null } as const;
      const r = await getFor(actor, id);
      const cast = advance(r, { ...event, votes: await d.store.listAccessVotes(id) }).vote;
      if (cast === undefined) throw new Error(`the lifecycle accepted a vote on ${id} without casting it (a bug)`);
      if (!(await d.store.addAccessVote(cast))) throw new HoopError('usage', `you already voted on request ${id}`);
      // The stored tally decides: votes cast at the same moment by others all count.
      const others = (await d.store.listAccessVotes(id)).filter((v) => v.approver !== actor.user);
      await apply(r, advance(r, { ...event, votes: others }), actor.user);
      return view(await reread(id), actor);
    },
    async withdraw(actor, id) {
      const r = await getFor(actor, id);
      await apply(r, advance(r, { type: 'withdraw', actor }), actor.user);
      return view(await reread(id), actor);
    },
    transition,
    waitForChange,
    sweep,
    close() {
      clearInterval(timer);
      wakeAll();
    },
  };
}
