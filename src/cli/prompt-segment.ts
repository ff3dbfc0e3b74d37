/**
 * `hoopctl prompt`: a shell-prompt segment for the session this shell is in (as kube-ps1 does for contexts), e.g.
 * `⎈ demo:edit 12m`. Read from `$HOOP_*` and the session's kubeconfig file only: no network, no login, so a prompt
 * that runs it before every line stays fast.
 */
import { existsSync } from 'node:fs';
import type { CliContext } from './context.js';

/** Compact remaining time for a prompt: 45s, 12m, 1h5m. */
export function formatRemaining(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  const m = Math.floor((seconds % 3600) / 60);
  return `${Math.floor(seconds / 3600)}h${m === 0 ? '' : `${m}m`}`;
}

/** The segment for an environment at `now`; empty outside a session. `present` says whether the session's kubeconfig still exists. */
export function formatPromptSegment(env: NodeJS.ProcessEnv, now: Date, present: boolean): string {
  const connection = env.HOOP_CONNECTION;
  if (env.HOOP_SESSION === undefined || env.HOOP_SESSION === '' || connection === undefined || connection === '') return '';
  const symbol = env.HOOPCTL_PROMPT_SYMBOL ?? '⎈';
  const name = env.HOOP_ROLE !== undefined && env.HOOP_ROLE !== '' ? `${connection}:${env.HOOP_ROLE}` : connection;
  const ms = Date.parse(env.HOOP_EXPIRES_AT ?? '') - now.getTime();
  // An ended session's dir (and kubeconfig) is removed at once; expiry may not have been swept yet.
  const left = !present ? 'ended' : !Number.isFinite(ms) ? '?' : ms <= 0 ? 'expired' : formatRemaining(Math.floor(ms / 1000));
  return `${symbol === '' ? '' : `${symbol} `}${name} ${left}`;
}

/** The segment of this environment now, reading only the session's kubeconfig path. */
export function currentPromptSegment(env: NodeJS.ProcessEnv): string {
  const kubeconfig = env.KUBECONFIG;
  return formatPromptSegment(env, new Date(), kubeconfig !== undefined && kubeconfig !== '' && existsSync(kubeconfig));
}

/** Prints the segment without a newline, so `PS1='$(hoopctl prompt) \$ '` needs no trimming. */
export function runPrompt(ctx: CliContext): void {
  ctx.out.stdout.write(currentPromptSegment(ctx.env));
}
