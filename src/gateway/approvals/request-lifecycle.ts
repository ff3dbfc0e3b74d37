/**
 * The lifecycle of an access request as a pure function: what a vote, a withdrawal or the passing of time does to
 * a request, or why it is refused. No store, no clock: access-requests.ts reads the request and its votes, asks this,
 * and writes the answer with the store's compare-and-set.
 *
 * pending ──minApprovals approvals──▶ approved ──validUntil passes──▶ expired
 *    │ one denial ▶ denied       │ the requester withdraws ▶ withdrawn       │ expiresAt passes ▶ expired
 * (approved → used is the session claim's and the command review's: they spend an approval, they do not decide it).
 */
import type { AccessRequestPatch, AccessRequestRecord, AccessVoteRecord } from '../../store/store.js';
import type { RequestEvent } from '../notify/messages.js';
import { mayVote, type Viewer } from './request-view.js';

/** An authenticated person acting on requests (a `/v1` Caller). */
export interface Actor extends Viewer {
  via: 'id-token' | 'session';
}

/** What can happen to a request. */
export type LifecycleEvent =
  /**
   * `votes`: the votes already stored on it, this one not among them. access-requests.ts asks twice: before storing
   * the vote (to refuse it), and after, with the stored tally, so votes cast at the same moment all count.
   */
  | { type: 'vote'; actor: Actor; decision: 'approve' | 'deny'; comment: string | null; votes: readonly AccessVoteRecord[] }
  | { type: 'withdraw'; actor: Actor }
  /** Time passed (a read or the sweep): an unanswered request, or an unused approval, runs out. */
  | { type: 'tick' };

/** The settings the lifecycle reads. */
export interface LifecycleRules {
  /** How long an approved request stays usable. */
  approvedWindowSeconds: number;
}

/** Why an event is refused; `code` is the HoopError code the API answers with. */
export interface LifecycleRefusal {
  code: 'denied' | 'usage';
  message: string;
  hint?: string;
}

/** What follows from an event. */
export type LifecycleStep =
  | {
      kind: 'next';
      /** The request after the event (equal to the one given when nothing changed). */
      request: AccessRequestRecord;
      /** The change to write (compare-and-set on the given status and uses); absent when the status stays. */
      patch?: AccessRequestPatch;
      /** A vote to store before the patch. */
      vote?: AccessVoteRecord;
      /** What to audit and announce once written. */
      notice?: { event: RequestEvent; message: string };
    }
  | { kind: 'refused'; refusal: LifecycleRefusal };

const iso = (ms: number): string => new Date(ms).toISOString();

function next(r: AccessRequestRecord, patch?: AccessRequestPatch, notice?: { event: RequestEvent; message: string }, vote?: AccessVoteRecord): LifecycleStep {
  return {
    kind: 'next',
    request: patch === undefined ? r : { ...r, ...patch },
    ...(patch === undefined ? {} : { patch }),
    ...(notice === undefined ? {} : { notice }),
    ...(vote === undefined ? {} : { vote }),
  };
}

function refused(code: LifecycleRefusal['code'], message: string, hint?: string): LifecycleStep {
  return { kind: 'refused', refusal: { code, message, ...(hint === undefined ? {} : { hint }) } };
}

/** Refuses any vote by `actor` whatever the request (checked before the request is even read). */
export function voterRefusal(actor: Actor): LifecycleRefusal | undefined {
  // A session credential is a short-lived delegation (maybe held by an agent): approving takes a person's login.
  return actor.via === 'id-token'
    ? undefined
    : { code: 'denied', message: 'approving needs your login (ID token), not a session credential', hint: 'run hoopctl login' };
}

function vote(r: AccessRequestRecord, e: Extract<LifecycleEvent, { type: 'vote' }>, now: number, rules: LifecycleRules): LifecycleStep {
  const { actor } = e;
  const notVoter = voterRefusal(actor);
  if (notVoter !== undefined) return { kind: 'refused', refusal: notVoter };
  if (r.user === actor.user) return refused('denied', `request ${r.id} is your own; someone else in ${r.approvers.join(', ')} must decide it`);
  if (!mayVote({ ...r, status: 'pending' }, actor))
    return refused('denied', `you are not in the approver groups of request ${r.id} (${r.approvers.join(', ')})`);
  if (r.status !== 'pending') return refused('usage', `request ${r.id} is already ${r.status}`);
  if (e.votes.some((v) => v.approver === actor.user)) return refused('usage', `you already voted on request ${r.id}`);
  const cast: AccessVoteRecord = { requestId: r.id, approver: actor.user, decision: e.decision, comment: e.comment, at: iso(now) };
  const note = e.comment === null ? '' : ` (${e.comment})`;
  if (e.decision === 'deny')
    return next(r, { status: 'denied', decidedAt: cast.at }, { event: 'request.denied', message: `denied by ${actor.user}${note}` }, cast);
  const approvals = [...e.votes, cast].filter((v) => v.decision === 'approve').length;
  const message = `approved by ${actor.user}${note} (${approvals}/${r.minApprovals})`;
  if (approvals < r.minApprovals) return next(r, undefined, { event: 'request.voted', message }, cast);
  return next(
    r,
    { status: 'approved', decidedAt: cast.at, validUntil: iso(now + rules.approvedWindowSeconds * 1000) },
    { event: 'request.approved', message },
    cast,
  );
}

/** The request after `event` at `now`, or why the event is refused. */
export function advanceAccessRequest(r: AccessRequestRecord, event: LifecycleEvent, now: number, rules: LifecycleRules): LifecycleStep {
  switch (event.type) {
    case 'vote':
      return vote(r, event, now, rules);
    case 'withdraw': {
      const { actor } = event;
      if (r.user !== actor.user && !actor.admin) return refused('denied', `request ${r.id} belongs to ${r.user}; only they (or an admin) may withdraw it`);
      if (r.status !== 'pending') return refused('usage', `request ${r.id} is already ${r.status}`);
      return next(r, { status: 'withdrawn', decidedAt: iso(now) }, { event: 'request.withdrawn', message: `withdrawn by ${actor.user}` });
    }
    case 'tick':
      if (r.status === 'pending' && Date.parse(r.expiresAt) <= now) {
        return next(r, { status: 'expired', decidedAt: iso(now) }, { event: 'request.expired', message: 'not answered in time' });
      }
      // An unused approval running out is not announced: nobody decided anything.
      if (r.status === 'approved' && r.validUntil !== null && Date.parse(r.validUntil) <= now) return next(r, { status: 'expired' });
      return next(r);
  }
}
