/** `hoopctl quickstart approve ID`: plays bob, the demo approver, against the running quickstart (from any terminal). */
import { join } from 'node:path';
import { HoopError } from '../errors.js';
import { loadQuickstartNote } from '../platform/quickstart-note.js';
import { runDecide } from './cmd-approvals.js';
import type { CliContext } from './context.js';
import { loginPlayingPerson } from './identity.js';
import { quickstartAnswers } from './quickstart-stopped.js';
import { DEMO_USERS } from './quickstart-stack.js';

/** Logs bob in at the quickstart's IdP (his login kept apart from alice's in the quickstart dir) and decides request `id`. */
export async function runQuickstartDecide(ctx: CliContext, id: string, opts: { comment?: string; deny?: boolean }): Promise<void> {
  const note = await loadQuickstartNote(ctx.env);
  if (note === undefined) throw new HoopError('not_found', 'no quickstart has run on this machine', { hint: 'run hoopctl quickstart' });
  if (!(await quickstartAnswers(note.gatewayUrl))) {
    throw new HoopError('gateway_unreachable', `the quickstart stack at ${note.gatewayUrl} is not running`, {
      hint: note.kept ? `bring it back with hoopctl quickstart --dir ${note.dir}` : 'start it with hoopctl quickstart',
    });
  }
  const bob = DEMO_USERS[1];
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    XDG_CONFIG_HOME: join(note.dir, 'approver', 'config'),
    XDG_RUNTIME_DIR: join(note.dir, 'approver', 'run'),
    HOOPCTL_TOKEN_STORE: 'file',
  };
  const bctx: CliContext = { ...ctx, env };
  await loginPlayingPerson(bctx, bob, note.gatewayUrl);
  ctx.out.stderr.write(`acting as ${bob.email} (group ${bob.groups.join(', ')}), the quickstart's approver\n`);
  await runDecide(bctx, opts.deny === true ? 'deny' : 'approve', id, {
    comment: opts.comment ?? `${opts.deny === true ? 'denied' : 'approved'} by bob in the quickstart`,
    output: 'text',
    input: false,
  });
}
