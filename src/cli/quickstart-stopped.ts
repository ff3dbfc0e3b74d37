/**
 * Turns "not logged in" / "cannot reach the gateway" after a quickstart ended into what happened: the demo stack
 * stopped, and `hoopctl quickstart --dir DIR` brings it (and its history) back.
 */
import { HoopError, isHoopError } from '../errors.js';
import { loadQuickstartNote, type QuickstartNote } from '../platform/quickstart-note.js';

/** Whether the quickstart's gateway answers its health check (1 s at most). */
export async function quickstartAnswers(gatewayUrl: string): Promise<boolean> {
  try {
    const r = await fetch(`${gatewayUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
    await r.body?.cancel();
    return r.ok;
  } catch {
    return false;
  }
}

function concerns(e: HoopError, note: QuickstartNote, env: NodeJS.ProcessEnv): boolean {
  if (e.code === 'not_logged_in') return true;
  if (e.code === 'gateway_unreachable') return e.message.includes(note.gatewayUrl);
  // A refresh at the quickstart's IdP, gone with it, from inside the quickstart's own config.
  return (e.code === 'login_expired' || e.code === 'login_failed') && (env.XDG_CONFIG_HOME ?? '').startsWith(note.dir);
}

/** The error to print for `e`: a clearer one when it comes from a quickstart that is no longer (or elsewhere) running. */
export async function explainQuickstartError(e: unknown, env: NodeJS.ProcessEnv): Promise<unknown> {
  if (!(e instanceof HoopError) || !['not_logged_in', 'gateway_unreachable', 'login_expired', 'login_failed'].includes(e.code)) return e;
  const note = await loadQuickstartNote(env);
  if (note === undefined || !concerns(e, note, env)) return e;
  const real = 'or log in to a real gateway: hoopctl login --gateway URL';
  if (await quickstartAnswers(note.gatewayUrl)) {
    if (!isHoopError(e, 'not_logged_in')) return e;
    return new HoopError('not_logged_in', `not logged in here — the quickstart running in another terminal keeps its login in ${note.dir}`, {
      hint: `run hoopctl in the quickstart's subshell, or prefix commands with XDG_CONFIG_HOME=${note.dir}/config XDG_RUNTIME_DIR=${note.dir}/run HOOPCTL_TOKEN_STORE=file`,
      cause: e,
    });
  }
  if (note.kept) {
    return new HoopError(e.code, `the quickstart stack stopped (its login, sessions and recordings are kept in ${note.dir})`, {
      hint: `bring it back with hoopctl quickstart --dir ${note.dir}, ${real}`,
      cause: e,
    });
  }
  return new HoopError(e.code, 'the quickstart stack stopped and removed its temporary state, history included', {
    hint: `run hoopctl quickstart --dir ~/hoopctl-demo to keep history across runs, ${real}`,
    cause: e,
  });
}
