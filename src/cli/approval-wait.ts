/** The CLI side of waiting for an access request: a status line (who can approve, elapsed time) and Ctrl-C. */
import { formatDuration, parseDuration } from '../credential/duration.js';
import type { AccessRequestView } from '../api/wire.js';
import type { RequestWaitDeps, SessionApprovalDeps } from '../usecases/approvals.js';
import { ExitRequest, type CliContext } from './context.js';
import type { StatusLine } from './output.js';

/** `--wait`, `--no-wait`, `--wait-approval <duration>` of connect/exec. */
export interface WaitFlags {
  wait?: boolean;
  waitApproval?: string;
}

/** One status line: `request 3f2a… (role edit for 30m on prod): 0/1 approvals from sre — waiting 12s; Ctrl-C withdraws`. */
export function waitingText(r: AccessRequestView, waitedMs: number, withElapsed: boolean): string {
  const votes = `${r.approvals.length}/${r.minApprovals} approval${r.minApprovals === 1 ? '' : 's'} from ${r.approvers.join(', ')}`;
  const elapsed = withElapsed ? ` — waiting ${formatDuration(waitedMs / 1000)}` : ' — waiting';
  return `request ${r.id} (${r.summary} on ${r.connection}): ${votes}${elapsed}`;
}

/** What the requester reads once approved: who approved, with their comments, and the role granted. */
export function approvedText(r: AccessRequestView): string {
  const by = r.approvals.map((a) => (a.comment === undefined || a.comment === '' ? a.by : `${a.by} ("${a.comment}")`)).join(', ');
  return `request ${r.id} approved by ${by}${r.role === undefined ? '' : `; role ${r.role} granted`} (${r.summary} on ${r.connection})`;
}

/** Status line and Ctrl-C handling around a wait; `stop()` removes both. */
export function createWaitUi(
  ctx: CliContext,
  suffix: string,
): { deps: Pick<RequestWaitDeps, 'progress' | 'signal'>; start(r: AccessRequestView): void; stop(): void; aborted(): boolean } {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  const tty = ctx.out.stderr.isTTY === true;
  let line: StatusLine | undefined;
  let last: { r: AccessRequestView; at: number; waited: number } | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const render = (): void => {
    if (line === undefined || last === undefined) return;
    // Without a terminal every update is a new line: show the elapsed time only on a TTY.
    line.update(`${waitingText(last.r, last.waited + (Date.now() - last.at), tty)}${suffix}`);
  };
  return {
    deps: {
      signal: abort.signal,
      progress: (r, waited) => {
        last = { r, at: Date.now(), waited };
        render();
      },
    },
    start(r) {
      process.on('SIGINT', onSigint);
      last = { r, at: Date.now(), waited: 0 };
      line = ctx.out.status(`${waitingText(r, 0, tty)}${suffix}`);
      if (tty) {
        ticker = setInterval(render, 1000);
        ticker.unref();
      }
    },
    stop() {
      process.off('SIGINT', onSigint);
      if (ticker !== undefined) clearInterval(ticker);
      line?.stop();
      line = undefined;
    },
    aborted: () => abort.signal.aborted,
  };
}

/** Approval deps for connect/exec: waits on a TTY or when asked to, with a status line; Ctrl-C withdraws and exits 130. */
export function createSessionApprovalDeps(
  ctx: CliContext,
  gateway: SessionApprovalDeps['gateway'],
  getIdToken: () => Promise<string>,
  flags: WaitFlags,
  stdinIsTTY: boolean,
): SessionApprovalDeps {
  const limitMs = flags.waitApproval === undefined ? undefined : parseDuration(flags.waitApproval) * 1000;
  const wait = flags.wait ?? (limitMs !== undefined || stdinIsTTY);
  const ui = createWaitUi(ctx, '; Ctrl-C withdraws it');
  const c = ctx.out.c;
  return {
    gateway,
    getIdToken,
    wait,
    ...(limitMs === undefined ? {} : { limitMs }),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...ui.deps,
    pending(r) {
      ctx.out.stderr.write(
        `${c.yellow('hoopctl:')} role needs approval: access request ${r.id} (${r.summary} on ${r.connection}) sent to ${r.approvers.join(', ')}; ` +
          `an approver runs: hoopctl approve ${r.id}\n`,
      );
      // In the quickstart the newcomer plays the approver too: name the command that does it as bob.
      if (ctx.env.HOOPCTL_QUICKSTART !== undefined)
        ctx.out.stderr.write(`  quickstart: approve it as bob from another terminal: hoopctl quickstart approve ${r.id}\n`);
      if (wait) ui.start(r);
    },
    done(decided) {
      ui.stop();
      if (decided?.status === 'approved') ctx.out.stderr.write(`${c.green('✔')} ${approvedText(decided)}\n`);
    },
    interruptedError(id, withdrawn) {
      ctx.out.stderr.write(`hoopctl: ${withdrawn ? `withdrew access request ${id}` : `stopped waiting; access request ${id} could not be withdrawn`}\n`);
      return new ExitRequest(130);
    },
  };
}
