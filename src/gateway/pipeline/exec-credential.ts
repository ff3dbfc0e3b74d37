/**
 * Client-go credential plugins for held kubeconfigs (`users[].user.exec`, the ExecCredential protocol,
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins):
 * runs the plugin, keeps its token until `expirationTimestamp`, runs it again after, and logs the
 * plugin's stderr and failures without the credential.
 */
import type { Clock } from '../../clock.js';
import { spawn } from 'node:child_process';
import { HoopError } from '../../errors.js';
import type { ExecPluginConfig } from '../../kube/kubeconfig.js';

/** A held credential could not be produced (plugin failed, token file unreadable): the request gets a 503 Status naming the connection. */
export class UpstreamCredentialError extends HoopError {
  /** The connection whose credential is missing. */
  readonly connection: string;
  constructor(connection: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('upstream_error', message, options);
    this.connection = connection;
  }
}

/** Produces the bearer token of one connection from its exec plugin. */
export interface ExecCredentialSource {
  /** The current token: cached until its expiry, else one plugin run shared by every caller waiting for it. */
  token(): Promise<string>;
}

/** Options of createExecCredentialSource. */
export interface ExecCredentialOptions {
  connection: string;
  exec: ExecPluginConfig;
  /** Server and CA handed to the plugin when it asks for cluster info (`provideClusterInfo`). */
  cluster: { server: string; caPem?: string; insecureSkipTlsVerify: boolean; tlsServerName?: string };
  env: Record<string, string | undefined>;
  now: Clock;
  log: (line: string) => void;
  /** A plugin that has not answered by then is killed (default 60 s). */
  timeoutMs?: number;
}

// A token is replaced this long before it expires, so a request never carries one that dies on the way.
const EXPIRY_MARGIN_MS = 10_000;
// After a failure, requests within this window get the same error instead of starting the plugin again.
const FAILURE_BACKOFF_MS = 5_000;
const MAX_STDERR_LOGGED = 2_000;

interface Credential {
  token: string;
  expiresAt: number | undefined;
}

/** Creates the cached, single-flight token source of one exec plugin. */
export function createExecCredentialSource(o: ExecCredentialOptions): ExecCredentialSource {
  let cached: Credential | undefined;
  let inflight: Promise<Credential> | undefined;
  let failure: { error: UpstreamCredentialError; at: number } | undefined;
  const fresh = (c: Credential): boolean => c.expiresAt === undefined || o.now() < c.expiresAt - EXPIRY_MARGIN_MS;

  async function run(): Promise<Credential> {
    try {
      const c = await runPlugin(o);
      failure = undefined;
      cached = c;
      const until = c.expiresAt === undefined ? 'no expiry given' : `valid until ${new Date(c.expiresAt).toISOString()}`;
      o.log(`connection ${o.connection}: credential plugin ${o.exec.command} produced a token (${until})`);
      return c;
    } catch (e) {
      const error =
        e instanceof UpstreamCredentialError
          ? e
          : new UpstreamCredentialError(o.connection, `credential plugin of connection "${o.connection}" failed: ${(e as Error).message}`, { cause: e });
      failure = { error, at: o.now() };
      o.log(`connection ${o.connection}: ${error.message}`);
      throw error;
    }
  }

  return {
    async token() {
      if (cached !== undefined && fresh(cached)) return cached.token;
      if (failure !== undefined && o.now() - failure.at < FAILURE_BACKOFF_MS) throw failure.error;
      inflight ??= run().finally(() => {
        inflight = undefined;
      });
      return (await inflight).token;
    },
  };
}

function execInfo(o: ExecCredentialOptions): string {
  const spec: Record<string, unknown> = { interactive: false };
  if (o.exec.provideClusterInfo) {
    spec.cluster = {
      server: o.cluster.server,
      ...(o.cluster.tlsServerName === undefined ? {} : { 'tls-server-name': o.cluster.tlsServerName }),
      'insecure-skip-tls-verify': o.cluster.insecureSkipTlsVerify,
      ...(o.cluster.caPem === undefined ? {} : { 'certificate-authority-data': Buffer.from(o.cluster.caPem).toString('base64') }),
      ...(o.exec.clusterConfig === undefined ? {} : { config: o.exec.clusterConfig }),
    };
  }
  return JSON.stringify({ apiVersion: o.exec.apiVersion, kind: 'ExecCredential', spec });
}

function runPlugin(o: ExecCredentialOptions): Promise<Credential> {
  const fail = (msg: string, cause?: unknown): UpstreamCredentialError =>
    new UpstreamCredentialError(o.connection, `credential plugin of connection "${o.connection}" (${o.exec.command}) ${msg}`, {
      hint: o.exec.installHint ?? 'check the plugin in the held kubeconfig; the gateway log has its stderr',
      ...(cause === undefined ? {} : { cause }),
    });
  return new Promise<Credential>((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...o.env, KUBERNETES_EXEC_INFO: execInfo(o) };
    for (const { name, value } of o.exec.env) env[name] = value;
    const child = spawn(o.exec.command, o.exec.args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      let stderr = Buffer.concat(err).toString('utf8').trim();
      let parsed: Credential | undefined;
      let problem: string | undefined;
      if (spawnError !== undefined) problem = `could not be started: ${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}`;
      else if (code !== 0) problem = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      else {
        try {
          parsed = parseExecCredential(stdout, o.exec.apiVersion);
        } catch (e) {
          problem = (e as Error).message;
        }
      }
      // Plugins are not supposed to print their token on stderr, but a buggy one must not leak it into the log.
      if (parsed !== undefined) stderr = stderr.split(parsed.token).join('<token>');
      if (stderr !== '')
        o.log(`connection ${o.connection}: credential plugin stderr: ${stderr.slice(0, MAX_STDERR_LOGGED)}${stderr.length > MAX_STDERR_LOGGED ? ' …' : ''}`);
      if (problem !== undefined || parsed === undefined) reject(fail(problem ?? 'gave no credential', spawnError));
      else resolve(parsed);
    });
  });
}

/** Parses a plugin's stdout (an ExecCredential object); the error message never quotes the output, which may hold a token. */
export function parseExecCredential(stdout: string, apiVersion: string): Credential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`printed something other than an ExecCredential JSON object (${stdout.length} bytes)`);
  }
  const d = doc as { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  if (typeof doc !== 'object' || doc === null || d.kind !== 'ExecCredential') throw new Error('printed JSON that is not an ExecCredential');
  if (d.apiVersion !== apiVersion) throw new Error(`answered apiVersion ${JSON.stringify(d.apiVersion)}, but the kubeconfig asks for ${apiVersion}`);
  const status = d.status;
  if (typeof status !== 'object' || status === null) throw new Error('answered an ExecCredential without status');
  if (status.clientCertificateData !== undefined || status.clientKeyData !== undefined) {
    throw new Error('answered a client certificate; the gateway only holds bearer tokens from plugins');
  }
  if (typeof status.token !== 'string' || status.token === '') throw new Error('answered an ExecCredential without status.token');
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
    expiresAt = typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : Number.NaN;
    if (Number.isNaN(expiresAt)) throw new Error('answered an expirationTimestamp that is not an RFC 3339 time');
  }
  return { token: status.token, expiresAt };
}
