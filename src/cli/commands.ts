/** The command tree. Each action imports its implementation lazily so `hoopctl --version` stays fast. */
import { Argument, Option, type Command } from 'commander';
import { ExitRequest, type CliContext } from './context.js';

/** Registers every hoopctl command on `program`, in the order `hoopctl --help` lists them. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerIdentityCommands(program, ctx);
  registerSessionCommands(program, ctx);
  registerLocalSessionCommands(program, ctx);
  registerGatewaySessionCommands(program, ctx);
  registerApprovalCommands(program, ctx);
  registerAuditCommands(program, ctx);
  registerGatewayCommands(program, ctx);
  registerPolicyCommands(program, ctx);
  registerQuickstartCommands(program, ctx);
  registerPlumbingCommands(program, ctx);
}

/** login, logout, whoami. */
function registerIdentityCommands(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('log in to the IdP with the OIDC device flow (RFC 8628)')
    .option('--gateway <url>', 'gateway URL (remembered for later commands)')
    .action(async (opts: { gateway?: string }) => (await import('./cmd-identity.js')).runLogin(ctx, opts));

  program
    .command('logout')
    .description('remove the stored login')
    .action(async () => (await import('./cmd-identity.js')).runLogout(ctx));

  program
    .command('whoami')
    .description('show who you are logged in as, your groups and when the login expires')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string }) => (await import('./cmd-identity.js')).runWhoami(ctx, opts));
}

/** The options connect and exec share. */
function sessionOptions(c: Command): Command {
  return c
    .option('-n, --namespace <namespace>', "limit the session to this namespace (also the kubeconfig's default)")
    .option('--ttl <duration>', 'session length, e.g. 15m (capped by the connection)')
    .option('--role <role>', 'role to use on the connection')
    .option('--reason <text>', 'why you need access (recorded in the audit log)')
    .option('--transcript <file>', 'keep the session transcript (requests, masked answer summaries; 0600, appended) in FILE')
    .option('--ci', "CI mode: identity from the CI job's OIDC token, exchanged at the gateway (implied by CI=true without a TTY)")
    .option('--no-ci', 'never use CI mode, even with CI=true')
    .option('--gateway <url>', 'gateway URL in CI mode (default: $HOOPCTL_GATEWAY, then the remembered one)')
    .option('--audience <aud>', "audience to ask GitHub Actions for (default: from the gateway's /v1/config)")
    .option('--id-token-env <name>', 'env var holding the CI OIDC token (GitLab CI id_tokens)')
    .option('--id-token-file <path>', 'file holding the CI OIDC token')
    .option('--wait-approval <duration>', 'wait this long (e.g. 10m) for an approval instead of exiting 5')
    .option('--wait', 'wait for approval even without a terminal (default on a terminal)')
    .option('--no-wait', 'do not wait for approval: exit 5 naming the access request')
    .option('--request <id>', 'open the session an approved access request grants');
}

/** connections, connect, exec, and mcp (sessions for agents). */
function registerSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('connections')
    .description('list the connections the gateway offers you, with your roles')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string }) => (await import('./cmd-session.js')).runConnections(ctx, opts));

  sessionOptions(
    program
      .command('connect')
      .description('open a just-in-time session: local proxy + temporary kubeconfig, then a subshell')
      .argument('[connection]', 'connection name, e.g. prod (on a terminal: chosen from a list when left out)'),
  )
    .option('--print-env', 'print export KUBECONFIG=… and keep the proxy in the background')
    .option('--no-input', 'never prompt (also HOOPCTL_NO_INPUT=1)')
    .action(async (connection: string | undefined, opts: Record<string, unknown>) => (await import('./cmd-session.js')).runConnect(ctx, connection, opts));

  sessionOptions(
    program
      .command('exec')
      .description('run one command with a just-in-time kubeconfig; exits with its exit code')
      .argument('<connection>', 'connection name, e.g. prod (on a terminal, `hoopctl exec -- CMD` offers a list)')
      .argument('<command...>', 'command and arguments, after --')
      .option('--no-input', 'never prompt (also HOOPCTL_NO_INPUT=1)')
      .option('--keep-alive', 'keep the session (in the background) after the command exits, until expiry or hoopctl disconnect')
      .option('--no-keep-alive', 'end the session when the command exits, even for GUI launchers (cursor, code, windsurf, zed)')
      .passThroughOptions(),
  ).action(async (connection: string, command: string[], opts: Record<string, unknown>, cmd: Command) => runExec(ctx, connection, command, opts, cmd));

  program
    .command('mcp')
    .description('MCP server over stdio for AI agents (Cursor, Claude Code): connections, access requests, Kubernetes reads and changes through the gateway')
    .addOption(new Option('--print-config <client>', 'print the configuration to register this server').choices(['cursor', 'claude']))
    .action(async (opts: { printConfig?: string }) => (await import('./cmd-mcp.js')).runMcp(ctx, opts));
}

/** `exec`: splits hoopctl's own flags from the child's command, runs it, exits with its code. */
async function runExec(ctx: CliContext, connection: string, command: string[], opts: Record<string, unknown>, cmd: Command): Promise<never> {
  // passThroughOptions hands everything after the connection to the child, so `exec prod --ci -- kubectl …`
  // arrives as operands: what stands before `--` is hoopctl's own options (kubectl exec reads them the same way).
  const sep = command.indexOf('--');
  // Only when the operands start with an option: `exec prod kubectl exec pod -- ls` keeps its own `--`.
  if (sep > 0 && command[0]!.startsWith('-')) {
    const parsed = cmd.parseOptions(command.slice(0, sep));
    if (parsed.operands.length > 0 || parsed.unknown.length > 0) {
      const { HoopError } = await import('../errors.js');
      throw new HoopError('usage', `unexpected ${JSON.stringify([...parsed.operands, ...parsed.unknown][0])} before --`, {
        hint: `hoopctl exec ${connection} [flags] -- COMMAND ARGS…`,
      });
    }
    opts = cmd.opts();
    command = command.slice(sep);
  }
  // `exec [flags] -- CMD…` names no connection: commander took the command's first word for it.
  const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? [];
  const at = raw.indexOf('exec');
  const sepAt = raw.indexOf('--', at);
  const named = at < 0 || sepAt < 0 || raw.slice(at + 1, sepAt).includes(connection);
  const code = await (await import('./cmd-session.js')).runExecCommand(ctx, named ? connection : undefined, named ? command : [connection, ...command], opts);
  throw new ExitRequest(code);
}

/** disconnect, status, prompt: the sessions this machine serves. */
function registerLocalSessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('disconnect')
    .description('end local sessions (all of a connection, or every one with --all)')
    .argument('[connection]', 'connection name')
    .option('--all', 'end every local session')
    .action(async (connection: string | undefined, opts: { all?: boolean }) => (await import('./cmd-session.js')).runDisconnect(ctx, connection, opts));

  program
    .command('status')
    .description('list the sessions running on this machine and their remaining time')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string }) => (await import('./cmd-session.js')).runStatus(ctx, opts));

  program
    .command('prompt')
    .description('print a shell-prompt segment for the current session, e.g. "⎈ demo:edit 12m" (no network; empty outside a session)')
    .action(async () => (await import('./prompt-segment.js')).runPrompt(ctx));
}

/** sessions, revoke: sessions as the gateway sees them. */
function registerGatewaySessionCommands(program: Command, ctx: CliContext): void {
  program
    .command('sessions')
    .description('list your sessions at the gateway (every one for admins); --all adds ended ones')
    .option('--all', 'also ended and expired sessions')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string; all?: boolean }) => (await import('./cmd-sessions.js')).runSessions(ctx, opts));

  program
    .command('revoke')
    .description('end a session now (yours, or any for admins): its credential is refused and every open stream is cut')
    .argument('<session>', 'session id, or its first characters (see hoopctl sessions)')
    .option('-y, --yes', 'do not ask for confirmation on a terminal')
    .option('--no-input', 'never prompt (also HOOPCTL_NO_INPUT=1)')
    .action(async (session: string, opts: { yes?: boolean; input?: boolean }) => (await import('./cmd-sessions.js')).runRevoke(ctx, session, opts));
}

/** requests, approve, deny, wait. */
function registerApprovalCommands(program: Command, ctx: CliContext): void {
  program
    .command('requests')
    .description('list pending access requests you made or may approve (--all: every state); with an id, one request in full')
    .argument('[id]', "a request id: who, what, why, the votes, and a reviewed command's exact request and masked body")
    .option('--all', 'also decided, expired and withdrawn requests')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (id: string | undefined, opts: { output: string; all?: boolean }) => (await import('./cmd-approvals.js')).runRequests(ctx, opts, id));

  for (const decision of ['approve', 'deny'] as const) {
    program
      .command(decision)
      .description(decision === 'approve' ? 'approve an access request (never your own)' : 'deny an access request')
      .argument('[id]', 'request id (see hoopctl requests; on a terminal: chosen from a list when left out)')
      .option('--comment <text>', 'recorded with your decision')
      .option('--no-input', 'never prompt (also HOOPCTL_NO_INPUT=1)')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
      .action(async (id: string | undefined, opts: { comment?: string; output: string; input?: boolean }) =>
        (await import('./cmd-approvals.js')).runDecide(ctx, decision, id, opts),
      );
  }

  program
    .command('wait')
    .description('wait until an access request is decided: exit 0 approved, 4 denied or expired')
    .argument('<id>', 'request id')
    .option('--timeout <duration>', 'give up after this long (exit 5)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (id: string, opts: { timeout?: string; output: string }) => (await import('./cmd-approvals.js')).runWait(ctx, id, opts));
}

/** audit, audit verify, replay. */
function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description('show audit events from the gateway (your own; all for admins); audit verify checks the hash chain')
    // `audit verify -o json` is the subcommand's option, not the listing's.
    .enablePositionalOptions()
    .option('--session <id>', 'only this session (its id, or the first characters of it)')
    .option('--user <user>', 'only this user (admins)')
    .option('--since <duration>', 'only events newer than this, e.g. 1h')
    .option('--limit <n>', 'at most this many events', '200')
    .option('-f, --follow', 'keep printing new events as they come (Ctrl-C stops)')
    .option('--export <file>', 'append the events as JSON lines to FILE (0600; with --follow a SIEM can tail it; - for stdout)')
    .option('--all', 'also show discovery requests (GET /api, /apis, /version, /openapi …), which the table folds away')
    .addOption(new Option('--interval <ms>', 'poll period of --follow').default('1000').hideHelp())
    .addOption(
      new Option('-o, --output <format>', 'output format: table, wide (adds connection, HTTP code and rule), or json (JSON lines)')
        .choices(['text', 'table', 'wide', 'json'])
        .default('table'),
    )
    .action(async (opts: Record<string, string>) => (await import('./cmd-audit.js')).runAudit(ctx, opts));
  audit
    .command('verify')
    .description('verify the audit hash chain: reports the first edited or missing event and exits 1 (admins; or offline with --db)')
    .option('--db <file>', "verify the gateway's SQLite file directly, without the gateway")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { db?: string; output?: string }) => (await import('./cmd-audit.js')).runAuditVerify(ctx, opts));

  program
    .command('replay')
    .description('replay a session: its API requests with decisions, and the terminal of each exec/attach in real time')
    .argument('<session>', 'session id, or its first characters (see hoopctl sessions or hoopctl audit)')
    .option('--speed <factor>', 'play faster (2) or slower (0.5)', '1')
    .option('--exec <n>', 'only the n-th recorded exec/attach of the session (1 = first)')
    .option('--idle-limit <seconds>', 'longest pause played, in seconds', '2')
    .option('--export <file>', 'write the exec/attach recording as an asciicast v2 file (asciinema play FILE) instead of playing')
    .action(async (session: string, opts: Record<string, string>) => (await import('./cmd-replay.js')).runReplay(ctx, session, opts));
}

/** gateway serve, migrate, rotate-key. */
function registerGatewayCommands(program: Command, ctx: CliContext): void {
  const gateway = program.command('gateway').description('run the hoopctl gateway');
  gateway
    .command('serve')
    .description('start the gateway')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .action(async (opts: { config: string }) => (await import('./cmd-gateway.js')).runGatewayServe(ctx, opts));
  gateway
    .command('migrate')
    .description('apply the store schema migrations and exit (a deploy job before the replicas roll)')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .action(async (opts: { config: string }) => (await import('./cmd-gateway.js')).runGatewayMigrate(ctx, opts));
  gateway
    .command('rotate-key')
    .description('make a new signing key current; the previous one stays valid until its sessions expire')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .option('--retire-previous', 'also refuse every token signed with an older key at once (a leaked key)')
    .action(async (opts: { config: string; retirePrevious?: boolean }) => (await import('./cmd-gateway.js')).runGatewayRotateKey(ctx, opts));
}

/** policy check, policy explain. */
function registerPolicyCommands(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('validate and explain gateway policies offline');
  policy
    .command('check')
    .description('validate a gateway config or policy file')
    .argument('<file>')
    .action(async (file: string) => (await import('./cmd-policy.js')).runPolicyCheck(ctx, file));
  policy
    .command('explain')
    .description('show the decision for a request, e.g. policy explain -f gw.yaml --as alice --groups dev --connection prod -- get pods -n demo')
    .requiredOption('-f, --file <file>', 'gateway config or policy file')
    .requiredOption('--as <user>', 'user')
    .option('--groups <groups>', 'comma-separated groups', '')
    .requiredOption('--connection <name>', 'connection')
    .option('--role <role>', 'session role')
    .option('--session-namespace <namespace>', 'the namespace the session is limited to (connect --namespace)')
    .option('--method <method>', 'HTTP method (with --path)')
    .option('--path <path>', 'Kubernetes API path (with --method)')
    .argument('[kubectl...]', 'kubectl-style words after --')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (words: string[], opts: Record<string, string>) => (await import('./cmd-policy.js')).runPolicyExplain(ctx, words, opts));
}

/** quickstart, quickstart approve. */
function registerQuickstartCommands(program: Command, ctx: CliContext): void {
  const quickstart = program
    .command('quickstart')
    .description('run IdP, gateway and a simulated demo cluster locally, log in and open a session')
    .option('--tour', 'run a short non-interactive tour instead of a subshell')
    .option('--upstream-context <name>', 'use this context of your kubeconfig as the upstream instead of the simulation')
    .option('--dir <dir>', 'where to keep the quickstart state (default: a temporary dir)')
    .action(async (opts: Record<string, unknown>) => (await import('./cmd-quickstart.js')).runQuickstart(ctx, opts));
  quickstart
    .command('approve')
    .description("approve an access request as bob, the running quickstart's demo approver (from any terminal)")
    .argument('<request>', 'access request id')
    .option('--comment <text>', 'comment shown to the requester')
    .option('--deny', 'deny instead of approving')
    .action(async (id: string, opts: { comment?: string; deny?: boolean }) => (await import('./cmd-quickstart-approve.js')).runQuickstartDecide(ctx, id, opts));
}

/** completion, and the hidden daemon of `connect --print-env`. */
function registerPlumbingCommands(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print the shell completion script: source <(hoopctl completion bash), zsh likewise, hoopctl completion fish | source')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      ctx.out.stdout.write((await import('./completion-scripts.js')).completionScript(shell));
    });

  program
    .command('__session-daemon', { hidden: true })
    .description('internal: holds the proxy of a `connect --print-env` session')
    .action(async () => (await import('./cmd-session.js')).runSessionDaemonCommand(ctx));
}
