/**
 * Waiting for access requests: `hoopctl wait ID`, and `connect`/`exec` when the role asked for is
 * granted only with approval (the gateway answers 202 with a request; once approved the session is
 * opened with `requestId`; Ctrl-C withdraws the request). The gateway holds each poll until the
 * request changes (long-poll), so an approval shows up at once.
 */
import type { AccessRequestView, CreateSessionRequest, CreateSessionResponse } from '../api/wire.js';
import { HoopError } from '../errors.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import type { Clock } from '../clock.js';

/** Seconds the gateway may hold one poll (it caps this at 30). */
export const POLL_WAIT_SECONDS = 20;

/** What waiting needs: the gateway calls, a fresh ID token, the clock, and where progress goes. */
export interface RequestWaitDeps {
  gateway: Pick<GatewayClient, 'getRequest' | 'withdrawRequest'>;
  getIdToken(): Promise<string>;
  now: Clock;
  sleep(ms: number): Promise<void>;
  /** Called with every answer (and the time waited so far), for a status line. */
  progress?(r: AccessRequestView, waitedMs: number): void;
  /** Ctrl-C: stop waiting (a session request is then withdrawn). */
  signal?: AbortSignal;
  /** Give up after this long with exit 5 (`--wait-approval 10m`); undefined: until the request is decided or expires. */
  limitMs?: number;
}

/** Thrown when the wait was interrupted by the signal. */
export function interrupted(id: string, withdrawn: boolean): HoopError {
  return new HoopError(
    'approval_pending',
    `stopped waiting for access request ${id}${withdrawn ? '; it was withdrawn' : ''}`,
    withdrawn ? {} : { hint: `hoopctl wait ${id}` },
  );
}

// A function, not a property read: TypeScript would keep `aborted` narrowed to false across awaits.
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

/** Polls request `id` until it is no longer pending; resolves with the decided request. */
export async function waitForDecision(deps: RequestWaitDeps, id: string): Promise<AccessRequestView> {
  const started = deps.now();
  for (;;) {
    if (isAborted(deps.signal)) throw interrupted(id, false);
    const waited = deps.now() - started;
    if (deps.limitMs !== undefined && waited >= deps.limitMs) {
      throw new HoopError('approval_pending', `access request ${id} is still pending`, { hint: `hoopctl wait ${id}` });
    }
    const seconds = deps.limitMs === undefined ? POLL_WAIT_SECONDS : Math.max(1, Math.min(POLL_WAIT_SECONDS, Math.ceil((deps.limitMs - waited) / 1000)));
    let r: AccessRequestView;
    try {
      r = await deps.gateway.getRequest(await deps.getIdToken(), id, seconds, deps.signal);
    } catch (e) {
      if (isAborted(deps.signal)) throw interrupted(id, false);
      // A gateway restart or a network blip must not lose the wait: try again shortly.
      if (e instanceof HoopError && (e.code === 'gateway_unreachable' || e.code === 'gateway_error' || e.code === 'store_error')) {
        await deps.sleep(1000);
        continue;
      }
      throw e;
    }
    deps.progress?.(r, deps.now() - started);
    if (r.status !== 'pending') return r;
  }
}

/** The error for a request that ended without approval. */
export function notApproved(r: AccessRequestView): HoopError {
  const by = r.denials[0];
  const why =
    r.status === 'denied'
      ? `was denied by ${by?.by ?? 'an approver'}${by?.comment === undefined ? '' : ` (${by.comment})`}`
      : r.status === 'expired'
        ? 'expired before anyone approved it'
        : `is ${r.status}`;
  return new HoopError('denied', `access request ${r.id} (${r.summary} on ${r.connection}) ${why}`);
}

/** `connect`/`exec` deps for roles that need approval. */
export interface SessionApprovalDeps extends RequestWaitDeps {
  gateway: Pick<GatewayClient, 'getRequest' | 'withdrawRequest' | 'openSession' | 'createSession'>;
  /** False: do not wait; exit 5 naming the request (no TTY and not asked to wait, or `--no-wait`). */
  wait: boolean;
  /** Called once the request exists (before waiting), to tell the person who can approve it. */
  pending?(r: AccessRequestView): void;
  /** Called when waiting ends, however it ends (to stop a status line); with the request when it was decided. */
  done?(decided?: AccessRequestView): void;
  /** The error to throw after Ctrl-C (the CLI exits 130); default: interrupted(). */
  interruptedError?(id: string, withdrawn: boolean): unknown;
}

/** Opens a session, going through an access request when the gateway answers 202. */
export async function openSessionWithApproval(deps: SessionApprovalDeps, idToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse> {
  const first = await deps.gateway.openSession(idToken, req);
  if (!('request' in first)) return first;
  const r = first.request;
  deps.pending?.(r);
  if (!deps.wait) {
    throw new HoopError('approval_pending', `access request ${r.id} (${r.summary} on ${r.connection}) waits for approval by ${r.approvers.join(', ')}`, {
      hint: `hoopctl wait ${r.id}, then hoopctl connect ${r.connection} --request ${r.id}`,
    });
  }
  let decided: AccessRequestView;
  try {
    decided = await waitForDecision(deps, r.id);
  } catch (e) {
    if (isAborted(deps.signal)) {
      // Ctrl-C means "never mind": nobody should approve a request its author walked away from.
      const withdrawn = await deps
        .getIdToken()
        .then((t) => deps.gateway.withdrawRequest(t, r.id))
        .then(
          () => true,
          () => false,
        );
      deps.done?.();
      const stop: unknown = deps.interruptedError?.(r.id, withdrawn) ?? interrupted(r.id, withdrawn);
      throw stop;
    }
    deps.done?.();
    throw e;
  }
  deps.done?.(decided);
  if (decided.status !== 'approved') throw notApproved(decided);
  return deps.gateway.createSession(await deps.getIdToken(), {
    connection: req.connection,
    requestId: r.id,
    ...(req.namespace === undefined ? {} : { namespace: req.namespace }),
  });
}
