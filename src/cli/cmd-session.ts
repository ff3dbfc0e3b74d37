/** `hoopctl connections | connect | exec | disconnect | status` and the hidden session daemon. */
import { resolve as resolvePath } from 'node:path';
import { formatDuration, parseDuration } from '../credential/duration.js';
import { HoopError } from '../errors.js';
import { resolvePaths } from '../platform/paths.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { RunningSession, StartSessionInput } from '../usecases/connect.js';
import type { ConnectDeps } from '../usecases/session-deps.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';
import type { SessionRecord, SweptSession } from '../local-proxy/session-dir.js';
import { formatTime, formatTimeAndRelative } from '../credential/time-format.js';

const SWEEP_NOTICE_TIMEOUT_MS = 3000;

/**
 * Ends a swept session (its owner process is gone) at the gateway with the owner's login: the session dir
 * never holds the session credential, so the person who owns the session ends it, as `hoopctl revoke` would.
 * Best effort and never interactive: without a usable login the credential simply expires at its TTL.
 */
function endSweptWithLogin(ctx: CliContext, login?: () => Promise<{ idToken: string; gateway: string }>): (record: SessionRecord) => Promise<void> {
  let cached: Promise<{ idToken: string; gateway: string }> | undefined;
  const get = login ?? (async () => freshIdToken(await createIdentityDeps(ctx)));
  return async (record) => {
    cached ??= get();
    const work = (async () => {
      const { idToken, gateway } = await cached;
      if (gateway.replace(/\/+$/, '') !== record.gateway.replace(/\/+$/, '')) {
        throw new HoopError('usage', `session ${record.sessionId} belongs to the gateway ${record.gateway}, not the one logged in to`);
      }
      await createGatewayClient({ baseUrl: record.gateway }).endSession(idToken, record.sessionId);
    })();
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HoopError('gateway_unreachable', 'the gateway did not answer in time')), SWEEP_NOTICE_TIMEOUT_MS);
    });
    try {
      await Promise.race([work, cap]);
    } finally {
      clearTimeout(timer);
    }
  };
}

function reportSwept(ctx: CliContext, swept: readonly SweptSession[]): void {
  for (const s of swept) {
    if (s.reason !== 'owner_gone' || s.record === undefined) continue;
    const told =
      s.endedAtGateway === true
        ? 'ended it at the gateway'
        : `could not end it at the gateway (it expires ${formatTimeAndRelative(s.record.expiresAt, Date.now())}; or run: hoopctl revoke ${s.record.sessionId})`;
    ctx.out.stderr.write(
      `hoopctl: session ${s.record.sessionId} for ${s.record.connection} lost its process (pid ${s.record.pid}): removed its credentials, ${told}\n`,
    );
  }
}

/** Sweeps this machine's stale session dirs (dead owners become tombstones and end at the gateway); used by every session-looking command. */
export async function sweepLocalSessions(ctx: CliContext): Promise<SweptSession[]> {
  const { sessionDirs } = await import('../process/session-edges.js');
  const { isProcessAlive } = await import('../process/process-alive.js');
  const swept = await sessionDirs.sweep({
    sessionsDir: resolvePaths(ctx.env).sessionsDir,
    isAlive: isProcessAlive,
    now: new Date(),
    nodePath: process.execPath,
    endSession: endSweptWithLogin(ctx),
  });
  reportSwept(ctx, swept);
  return swept;
}

/** Lists the connections the gateway offers the caller, with their roles. */
export async function runConnections(ctx: CliContext, opts: { output: string }): Promise<void> {
  const { idToken, gateway } = await freshIdToken(await createIdentityDeps(ctx));
  const items = await createGatewayClient({ baseUrl: gateway }).listConnections(idToken);
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    ctx.out.stderr.write('no connections offered to you\n');
    return;
  }
  const { formatConnectionRows } = await import('./session-tables.js');
  const width = ctx.out.width();
  for (const line of formatConnectionRows(items, width === undefined ? {} : { width })) ctx.out.stdout.write(`${line}\n`);
}

function sessionInput(connection: string, opts: Record<string, unknown>): StartSessionInput {
  const str = (k: string): string | undefined => (typeof opts[k] === 'string' ? opts[k] : undefined);
  const input: StartSessionInput = { connection };
  const ns = str('namespace');
  const ttl = str('ttl');
  const role = str('role');
  const reason = str('reason');
  const requestId = str('request');
  const transcript = str('transcript');
  if (ns !== undefined) input.namespace = ns;
  if (ttl !== undefined) input.ttl = ttl;
  if (role !== undefined) input.role = role;
  if (reason !== undefined) input.reason = reason;
  if (requestId !== undefined) input.requestId = requestId;
  // Absolute: the background daemon of --print-env runs elsewhere.
  if (transcript !== undefined) input.transcript = resolvePath(transcript);
  return input;
}

async function connectDeps(ctx: CliContext, opts: Record<string, unknown>): Promise<ConnectDeps> {
  const { sessionIdentity } = await import('./session-identity.js');
  const who = await sessionIdentity(ctx, opts, process.stdin.isTTY === true);
  const { createSessionEdges } = await import('../process/session-edges.js');
  const edges = createSessionEdges({
    sessionsDir: resolvePaths(ctx.env).sessionsDir,
    ...(ctx.verbose ? { onRequest: (l) => ctx.out.stderr.write(`hoopctl: ${l.method} ${l.path} → ${l.status} (${l.ms} ms)\n`) } : {}),
  });
  const deps: ConnectDeps = {
    ...edges,
    gateway: who.gateway,
    getIdToken: who.getIdToken,
    endSwept: endSweptWithLogin(ctx, async () => ({ idToken: await who.getIdToken(), gateway: who.gateway.baseUrl })),
  };
  {
    // Roles granted only with approval: wait for the decision with a status line. A CI job asks through the
    // token exchange and, not being at a terminal, exits 5 with the request id unless --wait-approval says to wait.
    const { createSessionApprovalDeps } = await import('./approval-wait.js');
    const flags = {
      ...(typeof opts.wait === 'boolean' ? { wait: opts.wait } : {}),
      ...(typeof opts.waitApproval === 'string' ? { waitApproval: opts.waitApproval } : {}),
    };
    deps.approval = createSessionApprovalDeps(ctx, who.approvalGateway, who.getIdToken, flags, process.stdin.isTTY === true);
  }
  return deps;
}

/** The gateway caps a `--ttl` above the connection's maximum: say so rather than let the session end early unannounced. */
export function ttlCapNotice(requested: unknown, expiresAt: string, nowMs: number): string | undefined {
  if (typeof requested !== 'string') return undefined;
  const granted = Math.round((Date.parse(expiresAt) - nowMs) / 1000);
  // Slack for the round trip between the gateway's clock reading and ours.
  if (!Number.isFinite(granted) || parseDuration(requested) - granted <= 10) return undefined;
  return `--ttl ${requested} is above the maximum this connection allows; the session lasts ${formatDuration(Math.max(0, granted))} (until ${formatTime(expiresAt)})`;
}

function warnTtlCap(ctx: CliContext, requested: unknown, expiresAt: string): void {
  const notice = ttlCapNotice(requested, expiresAt, Date.now());
  if (notice !== undefined) ctx.out.stderr.write(`${ctx.out.c.yellow('hoopctl:')} ${notice}\n`);
}

/** Prints when a session ends and warns on stderr 5 and 1 minutes before expiry. */
function announce(ctx: CliContext, s: RunningSession, what: string): () => void {
  const c = ctx.out.c;
  const left = Math.max(0, Math.floor((Date.parse(s.expiresAt) - Date.now()) / 1000));
  ctx.out.stderr.write(
    `${c.green('✔')} ${what} ${c.bold(s.connection)} until ${formatTimeAndRelative(s.expiresAt, Date.now())}; session ${s.sessionId}\n` +
      `  KUBECONFIG=${s.kubeconfigPath}\n`,
  );
  const timers = [300, 60]
    .filter((w) => left > w)
    .map((w) =>
      setTimeout(
        () => ctx.out.stderr.write(`\n${c.yellow('hoopctl:')} session for ${s.connection} expires in ${formatDuration(w)}\n`),
        (left - w) * 1000,
      ).unref(),
    );
  return () => timers.forEach((t) => clearTimeout(t));
}

/** On a terminal, the connection (and role, and reason for a role behind approval) picked from a list; elsewhere a usage error. */
async function chooseConnection(ctx: CliContext, opts: Record<string, unknown>): Promise<string> {
  const { mayPrompt, missingOperand, pickConnection, processIo } = await import('./pickers.js');
  const io = processIo();
  if (!mayPrompt(ctx.env, io, { ...(opts.input === false ? { input: false } : {}), ...(opts.ci === true ? { ci: true } : {}) })) {
    throw missingOperand('connection', 'run hoopctl connections, then hoopctl connect NAME');
  }
  const { idToken, gateway } = await freshIdToken(await createIdentityDeps(ctx));
  const str = (k: string): string | undefined => (typeof opts[k] === 'string' ? opts[k] : undefined);
  const role = str('role');
  const reason = str('reason');
  const choice = await pickConnection(io, await createGatewayClient({ baseUrl: gateway }).listConnections(idToken), {
    ...(role === undefined ? {} : { role }),
    ...(reason === undefined ? {} : { reason }),
  });
  if (choice.role !== undefined) opts.role = choice.role;
  if (choice.reason !== undefined) opts.reason = choice.reason;
  return choice.connection;
}

/** `connect`: a subshell with the session's KUBECONFIG, or `--print-env` with a background daemon. */
export async function runConnect(ctx: CliContext, given: string | undefined, opts: Record<string, unknown>): Promise<void> {
  const outer = ctx.env.HOOP_SESSION;
  if (outer !== undefined && outer !== '' && opts.printEnv !== true) {
    ctx.out.stderr.write(
      `${ctx.out.c.yellow('hoopctl: warning:')} this shell is already in session ${outer} for ${ctx.env.HOOP_CONNECTION ?? '?'}; ` +
        'the new session opens nested inside it (type exit to leave the current one first)\n',
    );
  }
  const connection = given ?? (await chooseConnection(ctx, opts));
  const deps = await connectDeps(ctx, opts);
  const input = sessionInput(connection, opts);
  if (opts.printEnv === true) {
    const { runBackground } = await import('../usecases/background.js');
    const { spawnDaemon } = await import('../process/daemon.js');
    const s = await runBackground(
      {
        ...deps,
        spawnDaemon: (grant) => spawnDaemon({ command: process.execPath, args: [...process.execArgv, ctx.entry, '__session-daemon'], env: ctx.env }, grant),
      },
      input,
    );
    ctx.out.stdout.write(s.exports);
    warnTtlCap(ctx, opts.ttl, s.expiresAt);
    ctx.out.stderr.write(
      `# session ${s.sessionId} for ${s.connection} runs in the background (pid ${s.pid}) until ${formatTime(s.expiresAt)}; end it with: hoopctl disconnect ${s.connection}\n`,
    );
    return;
  }
  const { startSession } = await import('../usecases/connect.js');
  const { runSubshell } = await import('../usecases/subshell.js');
  const { createChildEdges } = await import('../process/session-edges.js');
  const session = await startSession(deps, input);
  warnTtlCap(ctx, opts.ttl, session.expiresAt);
  const stop = announce(ctx, session, 'Connected to');
  ctx.out.stderr.write('  Type exit (or Ctrl-D) to end the session.\n');
  const shell = ctx.env.SHELL;
  try {
    const code = await runSubshell(
      { ...createChildEdges({ env: ctx.env, stderr: ctx.out.stderr, stdinIsTTY: process.stdin.isTTY === true }), ...(shell === undefined ? {} : { shell }) },
      session,
    );
    await session.end('exited');
    ctx.out.stderr.write(`hoopctl: session ${session.sessionId} ended; kubeconfig removed.\n`);
    if (code !== 0) process.exitCode = code;
  } finally {
    stop();
    await session.end('exited');
  }
}

/** `exec`: runs one command in a session and returns its exit code (128+n for signal n). */
export async function runExecCommand(ctx: CliContext, given: string | undefined, argv: string[], opts: Record<string, unknown>): Promise<number> {
  // passThroughOptions keeps the `--` separator in the operands.
  const command = argv[0] === '--' ? argv.slice(1) : argv;
  if (command.length === 0) throw new HoopError('usage', 'no command to run', { hint: `hoopctl exec ${given ?? 'CONN'} -- kubectl get pods` });
  const connection = given ?? (await chooseConnection(ctx, opts));
  const deps = await connectDeps(ctx, opts);
  const { keepAlivePlan } = await import('../usecases/keep-alive.js');
  const plan = keepAlivePlan(command, typeof opts.keepAlive === 'boolean' ? opts.keepAlive : undefined);
  if (plan !== 'never') return (await import('./exec-keep-alive.js')).runExecKeepAlive(ctx, deps, sessionInput(connection, opts), command, plan);
  const { startSession } = await import('../usecases/connect.js');
  const { runExec } = await import('../usecases/exec.js');
  const { createChildEdges } = await import('../process/session-edges.js');
  const session = await startSession(deps, sessionInput(connection, opts));
  warnTtlCap(ctx, opts.ttl, session.expiresAt);
  if (ctx.verbose) announce(ctx, session, 'Session on')();
  try {
    return await runExec(createChildEdges({ env: ctx.env, stderr: ctx.out.stderr, stdinIsTTY: process.stdin.isTTY === true }), session, command);
  } finally {
    await session.end('exited');
  }
}

/** `disconnect`: ends local sessions by signalling their owners, and sweeps stale ones. */
export async function runDisconnect(ctx: CliContext, connection: string | undefined, opts: { all?: boolean }): Promise<void> {
  if (connection === undefined && opts.all !== true) throw new HoopError('usage', 'name a connection or pass --all', { hint: 'hoopctl disconnect --all' });
  const { disconnect } = await import('../usecases/disconnect.js');
  const { localDisconnectDeps } = await import('./disconnect-deps.js');
  const r = await disconnect(
    { ...(await localDisconnectDeps(ctx)), nodePath: process.execPath, endSwept: endSweptWithLogin(ctx) },
    { ...(connection === undefined ? {} : { connection }), ...(opts.all === true ? { all: true } : {}) },
  );
  for (const s of r.ended)
    ctx.out.stderr.write(`${s.confirmed ? 'ended' : 'asked to end (not confirmed yet)'}: session ${s.sessionId} for ${s.connection} (pid ${s.pid})\n`);
  if (r.ended.length === 0)
    ctx.out.stderr.write(`no running session${connection === undefined ? '' : ` for ${connection}`}${r.swept > 0 ? ` (removed ${r.swept} stale)` : ''}\n`);
}

/** `status`: local sessions and their remaining time. */
export async function runStatus(ctx: CliContext, opts: { output: string }): Promise<void> {
  const { listSessions } = await import('../usecases/status.js');
  const { sessionDirs } = await import('../process/session-edges.js');
  const { isProcessAlive } = await import('../process/process-alive.js');
  // A session whose process was killed (kill -9) still has its files and is "active" at the gateway: sweep first.
  await sweepLocalSessions(ctx).catch(() => undefined);
  const items = await listSessions({ sessionsDir: resolvePaths(ctx.env).sessionsDir, sessionDirs, isAlive: isProcessAlive, now: Date.now });
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    ctx.out.stderr.write('no running sessions\n');
    return;
  }
  const { formatStatusRows } = await import('./session-tables.js');
  const width = ctx.out.width();
  for (const line of formatStatusRows(items, ctx.env.HOOP_SESSION, Date.now(), width === undefined ? {} : { width })) ctx.out.stdout.write(`${line}\n`);
}

/** Hidden `__session-daemon`: receives the grant over IPC and serves it until expiry or SIGTERM. */
export async function runSessionDaemonCommand(ctx: CliContext): Promise<void> {
  const { serveSessionDaemon } = await import('../process/session-daemon-main.js');
  await serveSessionDaemon({ sessionsDir: resolvePaths(ctx.env).sessionsDir });
}
