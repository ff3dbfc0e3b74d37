/** `hoopctl quickstart [--tour]`: the whole chain on this machine, with no external service. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { AuditEvent } from '../audit/audit-event.js';
import { HoopError } from '../errors.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import { saveQuickstartNote } from '../platform/quickstart-note.js';
import { foldDiscovery, formatAuditRows } from './audit-table.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken, loginPlayingPerson } from './identity.js';
import { DEMO_USERS, startQuickstartStack } from './quickstart-stack.js';

interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runKubectl(args: string[], env: NodeJS.ProcessEnv): Promise<StepResult> {
  return new Promise((res, rej) => {
    // Async spawn: the local proxy serving this kubectl lives in this very process.
    const child = spawn('kubectl', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e) =>
      rej(
        new HoopError('usage', 'kubectl is not on PATH; the tour runs the real kubectl', {
          cause: e,
          hint: 'install kubectl, or run hoopctl quickstart without --tour',
        }),
      ),
    );
    child.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
  });
}

/** Starts IdP, gateway and the demo upstream, logs the demo engineer in, then opens a subshell (or runs the tour). */
export async function runQuickstart(ctx: CliContext, opts: { tour?: boolean; upstreamContext?: string; dir?: string }): Promise<void> {
  const keepDir = opts.dir !== undefined;
  const dir = keepDir ? resolve(ctx.cwd, opts.dir!) : await mkdtemp(join(tmpdir(), 'hoopctl-quickstart-'));
  const c = ctx.out.c;
  // The demo login and sessions stay inside `dir`: the quickstart never touches your real hoopctl login.
  const binDir = resolve(dirname(ctx.entry), '../../../bin');
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    HOOPCTL_TOKEN_STORE: 'file',
    HOOPCTL_QUICKSTART: dir,
    PATH: `${binDir}${delimiter}${ctx.env.PATH ?? ''}`,
  };
  const qctx: CliContext = { ...ctx, env };
  ctx.out.stderr.write(`${c.bold('hoopctl quickstart')} — everything runs on this machine (state in ${dir})\n`);
  const stack = await startQuickstartStack({
    dir,
    entry: ctx.entry,
    env: ctx.env,
    log: (l) => ctx.out.stderr.write(`  ${l}\n`),
    ...(opts.upstreamContext === undefined ? {} : { upstreamContext: opts.upstreamContext }),
  });
  // Remembered so that, once the stack is gone, "not logged in" can say it stopped and how to bring it back.
  await saveQuickstartNote(ctx.env, { dir, kept: keepDir, gatewayUrl: stack.gatewayUrl, pid: process.pid }).catch((e: unknown) =>
    ctx.out.stderr.write(`  could not remember the quickstart: ${(e as Error).message}\n`),
  );
  try {
    const engineer = DEMO_USERS[0];
    ctx.out.stderr.write(`\n${c.bold('1. Login')} (OIDC device flow; the quickstart plays ${engineer.email} in the "browser")\n`);
    const who = await loginPlayingPerson(qctx, engineer, stack.gatewayUrl);
    ctx.out.stderr.write(`${c.green('✔')} logged in as ${who.user} (groups: ${who.groups.join(', ')})\n`);

    if (opts.tour === true) {
      await runTour(qctx, stack.connection, stack.simulated);
      return;
    }
    ctx.out.stderr.write(`\n${c.bold('2. Connect')} — a subshell whose kubectl goes through the local proxy and the gateway.\n`);
    ctx.out.stderr.write(`  Try: kubectl get pods -n demo · kubectl delete namespace demo (refused) · hoopctl audit · hoopctl whoami\n`);
    ctx.out.stderr.write(
      `  Exec, recorded: hoopctl connect demo --role exec --reason try-exec (bob approves with hoopctl quickstart approve ID in another terminal), then kubectl exec -it POD -- sh (a simulated shell) and hoopctl replay SESSION\n`,
    );
    const { runConnect } = await import('./cmd-session.js');
    await runConnect(qctx, stack.connection, { namespace: stack.simulated ? 'demo' : undefined });
  } finally {
    // `hoopctl connect --print-env` inside the subshell leaves session daemons behind: end them while the
    // gateway still runs, so they neither outlive the quickstart nor hold its directory.
    await endQuickstartSessions(qctx);
    await stack.close();
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  }
}

async function endQuickstartSessions(ctx: CliContext): Promise<void> {
  const { disconnect } = await import('../usecases/disconnect.js');
  const { localDisconnectDeps } = await import('./disconnect-deps.js');
  try {
    const r = await disconnect(await localDisconnectDeps(ctx), { all: true });
    if (r.ended.length > 0) ctx.out.stderr.write(`  ended ${r.ended.length} session(s) still running in the quickstart\n`);
  } catch (e) {
    ctx.out.stderr.write(`  could not end the quickstart's background sessions: ${(e as Error).message}\n`);
  }
}

async function runTour(ctx: CliContext, connection: string, simulated: boolean): Promise<void> {
  const c = ctx.out.c;
  const { startSession } = await import('../usecases/connect.js');
  const { createSessionEdges } = await import('../process/session-edges.js');
  const { resolvePaths } = await import('../platform/paths.js');
  const identity = await createIdentityDeps(ctx);
  const { gateway } = await freshIdToken(identity);
  const client = createGatewayClient({ baseUrl: gateway });
  const ns = simulated ? 'demo' : 'default';
  const session = await startSession(
    {
      ...createSessionEdges({ sessionsDir: resolvePaths(ctx.env).sessionsDir }),
      gateway: client,
      getIdToken: async () => (await freshIdToken(identity)).idToken,
    },
    { connection, namespace: ns, ttl: '10m', reason: 'quickstart tour' },
  );
  ctx.out.stderr.write(`\n${c.bold('2. Session')} ${session.sessionId} on ${connection}; KUBECONFIG=${session.kubeconfigPath}\n`);
  const kenv = { ...ctx.env, ...session.env };
  // A name that exists nowhere: even against a real cluster the tour can never delete anything.
  const steps: { args: string[]; expect: 'ok' | 'refused'; why: string }[] = [
    { args: ['get', 'pods', '-n', ns], expect: 'ok', why: 'a read your role allows' },
    { args: ['get', 'deployments', '-n', ns, '-o', 'wide'], expect: 'ok', why: 'another read' },
    { args: ['delete', 'namespace', 'hoopctl-tour-does-not-exist'], expect: 'refused', why: 'a guardrail denies namespace deletion' },
    { args: ['get', 'secrets', '-n', ns], expect: 'refused', why: 'the view role does not include secrets' },
  ];
  const failures: string[] = [];
  try {
    for (const s of steps) {
      ctx.out.stderr.write(`\n${c.cyan('$ kubectl ' + s.args.join(' '))}   # ${s.why}\n`);
      const r = await runKubectl(s.args, kenv);
      ctx.out.stdout.write(r.stdout);
      ctx.out.stdout.write(r.stderr);
      const refused = r.code !== 0 && /forbidden/i.test(r.stderr);
      if ((s.expect === 'ok' && r.code !== 0) || (s.expect === 'refused' && !refused))
        failures.push(`kubectl ${s.args.join(' ')}: expected ${s.expect}, exit ${r.code}`);
    }
  } finally {
    await session.end('exited');
  }
  ctx.out.stderr.write(`\n${c.bold('3. Teardown')}: session ended, kubeconfig removed (${session.kubeconfigPath})\n`);
  const { idToken } = await freshIdToken(identity);
  const audit = await client.getJson<{ items: AuditEvent[] }>(idToken, `/v1/audit?session=${encodeURIComponent(session.sessionId)}&limit=500`);
  ctx.out.stderr.write(`\n${c.bold('4. Audit trail')} of session ${session.sessionId} (${audit.items.length} events)\n`);
  const { shown, folded } = foldDiscovery(audit.items, false);
  const width = ctx.out.width();
  for (const line of formatAuditRows(shown, { ...(width === undefined ? {} : { width }), wide: true, paint: ctx.out.co })) ctx.out.stdout.write(`${line}\n`);
  if (folded > 0) ctx.out.stderr.write(`(${folded} discovery request(s) not shown; hoopctl audit --all shows them)\n`);
  if (failures.length > 0) throw new HoopError('internal', `the tour did not go as expected:\n  ${failures.join('\n  ')}`);
  ctx.out.stderr.write(`\n${c.green('✔')} tour complete\n`);
}
