/** The command tree. Each action imports its implementation lazily so `hoopctl --version` stays fast. */
import { Option, type Command } from 'commander';
import { ExitRequest, type CliContext } from './context.js';

/** Registers every hoopctl command on `program`. */
export function registerCommands(program: Command, ctx: CliContext): void {
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

  program
    .command('connections')
    .description('list the connections the gateway offers you, with your roles')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string }) => (await import('./cmd-session.js')).runConnections(ctx, opts));

  const sessionOptions = (c: Command): Command =>
    c
      .option('-n, --namespace <namespace>', 'default namespace of the kubeconfig')
      .option('--ttl <duration>', 'session length, e.g. 15m (capped by the connection)')
      .option('--role <role>', 'role to use on the connection')
      .option('--reason <text>', 'why you need access (recorded in the audit log)');

  sessionOptions(
    program
      .command('connect')
      .description('open a just-in-time session: local proxy + temporary kubeconfig, then a subshell')
      .argument('<connection>', 'connection name, e.g. prod'),
  )
    .option('--print-env', 'print export KUBECONFIG=… and keep the proxy in the background')
    .action(async (connection: string, opts: Record<string, unknown>) =>
      (await import('./cmd-session.js')).runConnect(ctx, connection, opts));

  sessionOptions(
    program
      .command('exec')
      .description('run one command with a just-in-time kubeconfig; exits with its exit code')
      .argument('<connection>', 'connection name, e.g. prod')
      .argument('<command...>', 'command and arguments, after --')
      .passThroughOptions(),
  ).action(async (connection: string, command: string[], opts: Record<string, unknown>) => {
    const code = await (await import('./cmd-session.js')).runExecCommand(ctx, connection, command, opts);
    throw new ExitRequest(code);
  });

  program
    .command('disconnect')
    .description('end local sessions (all of a connection, or every one with --all)')
    .argument('[connection]', 'connection name')
    .option('--all', 'end every local session')
    .action(async (connection: string | undefined, opts: { all?: boolean }) =>
      (await import('./cmd-session.js')).runDisconnect(ctx, connection, opts));

  program
    .command('status')
    .description('list the sessions running on this machine and their remaining time')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { output: string }) => (await import('./cmd-session.js')).runStatus(ctx, opts));

  program
    .command('audit')
    .description('show audit events from the gateway (your own; all for admins)')
    .option('--session <id>', 'only this session')
    .option('--user <user>', 'only this user (admins)')
    .option('--since <duration>', 'only events newer than this, e.g. 1h')
    .option('--limit <n>', 'at most this many events', '200')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: Record<string, string>) => (await import('./cmd-audit.js')).runAudit(ctx, opts));

  const gateway = program.command('gateway').description('run the hoopctl gateway');
  gateway
    .command('serve')
    .description('start the gateway')
    .requiredOption('-c, --config <file>', 'gateway config (YAML)')
    .action(async (opts: { config: string }) => (await import('./cmd-gateway.js')).runGatewayServe(ctx, opts));

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
    .option('--method <method>', 'HTTP method (with --path)')
    .option('--path <path>', 'Kubernetes API path (with --method)')
    .argument('[kubectl...]', 'kubectl-style words after --')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (words: string[], opts: Record<string, string>) => (await import('./cmd-policy.js')).runPolicyExplain(ctx, words, opts));

  program
    .command('quickstart')
    .description('run IdP, gateway and a simulated demo cluster locally, log in and open a session')
    .option('--tour', 'run a short non-interactive tour instead of a subshell')
    .option('--upstream-context <name>', 'use this context of your kubeconfig as the upstream instead of the simulation')
    .option('--dir <dir>', 'where to keep the quickstart state (default: a temporary dir)')
    .action(async (opts: Record<string, unknown>) => (await import('./cmd-quickstart.js')).runQuickstart(ctx, opts));

  program
    .command('__session-daemon', { hidden: true })
    .description('internal: holds the proxy of a `connect --print-env` session')
    .action(async () => (await import('./cmd-session.js')).runSessionDaemonCommand(ctx));
}
