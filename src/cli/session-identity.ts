/**
 * Who a session command (`connect`, `exec`, `mcp`) runs as: the stored login of a person, or with
 * `--ci` the CI job's own OIDC token, exchanged at the gateway (RFC 8693) for the session.
 */
import { readFile } from 'node:fs/promises';
import { HoopError, isHoopError } from '../errors.js';
import { loadCliConfig } from '../platform/cli-config.js';
import { createGatewayClient, type GatewayClient } from '../platform/gateway-client.js';
import { resolvePaths } from '../platform/paths.js';
import { defaultCiAudience, detectCiTokenSource, noCiTokenError, obtainCiToken, type CiTokenRequest } from '../oidc/ci-token-source.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';

/** The gateway calls and the token a session needs. */
export interface SessionIdentity {
  gateway: Pick<GatewayClient, 'baseUrl' | 'createSession' | 'endSession'>;
  /** The calls that ask for, wait on and claim access requests for roles granted only with approval. */
  approvalGateway: Pick<GatewayClient, 'getRequest' | 'withdrawRequest' | 'openSession' | 'createSession'>;
  getIdToken(): Promise<string>;
  /** How the identity was found (for messages). */
  via: 'login' | 'ci';
}

/** The CI flags of session commands. */
export interface CiFlags {
  ci?: boolean;
  gateway?: string;
  audience?: string;
  idTokenEnv?: string;
  idTokenFile?: string;
}

/** `--ci` given, `--no-ci` given, or implied by `CI=true` without a terminal on stdin. */
export function ciModeOf(env: NodeJS.ProcessEnv, flags: CiFlags, stdinIsTTY: boolean): 'explicit' | 'implied' | 'off' {
  if (flags.ci === true) return 'explicit';
  if (flags.ci === false) return 'off';
  return env.CI === 'true' && !stdinIsTTY ? 'implied' : 'off';
}

function gatewayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HoopError('usage', `the gateway ${JSON.stringify(raw)} is not a URL`, { hint: 'pass --gateway https://…' });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  // The CI token travels to the gateway: plain HTTP only where nothing else can listen.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new HoopError('usage', `the gateway ${JSON.stringify(raw)} must be an https URL (http only for localhost)`, { hint: 'pass --gateway https://…' });
  }
  return url.href.replace(/\/+$/, '');
}

async function loginIdentity(ctx: CliContext): Promise<SessionIdentity> {
  const identity = await createIdentityDeps(ctx);
  const { gateway } = await freshIdToken(identity);
  const client = createGatewayClient({ baseUrl: gateway });
  return { gateway: client, approvalGateway: client, getIdToken: async () => (await freshIdToken(identity)).idToken, via: 'login' };
}

function expiresWithin(jwt: string, seconds: number): boolean {
  try {
    const exp = (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && exp * 1000 - Date.now() < seconds * 1000;
  } catch {
    return false;
  }
}

async function ciIdentity(ctx: CliContext, flags: CiFlags): Promise<SessionIdentity> {
  const remembered = flags.gateway ?? (ctx.env.HOOPCTL_GATEWAY || undefined) ?? (await loadCliConfig(resolvePaths(ctx.env))).gateway;
  if (remembered === undefined) throw new HoopError('usage', 'no gateway for --ci', { hint: 'pass --gateway URL or set HOOPCTL_GATEWAY' });
  const client = createGatewayClient({ baseUrl: gatewayUrl(remembered) });
  const request: CiTokenRequest = {
    ...(flags.idTokenFile === undefined ? {} : { idTokenFile: flags.idTokenFile }),
    ...(flags.idTokenEnv === undefined ? {} : { idTokenEnv: flags.idTokenEnv }),
    audience: async () => flags.audience ?? defaultCiAudience((await client.getConfig()).ci, client.baseUrl),
  };
  const obtain = async (): Promise<string> => (await obtainCiToken({ env: ctx.env, readFile: (p) => readFile(p, 'utf8') }, request)).token;
  // Fetched up front, so a missing token fails before anything else starts.
  let token = await obtain();
  const refreshable = detectCiTokenSource(ctx.env, request) === 'github-actions';
  return {
    gateway: { baseUrl: client.baseUrl, createSession: (t, req) => client.exchangeToken(t, req), endSession: client.endSession },
    approvalGateway: {
      openSession: (t, req) => client.exchangeTokenOrPending(t, req),
      createSession: (t, req) => client.exchangeToken(t, req),
      getRequest: client.getRequest,
      withdrawRequest: client.withdrawRequest,
    },
    // GitHub's job tokens live minutes; a long --wait-approval asks for a new one rather than present an expired one.
    getIdToken: async () => {
      if (refreshable && expiresWithin(token, 60)) token = await obtain();
      return token;
    },
    via: 'ci',
  };
}

/** The identity for a session command; see ciModeOf. An implied `--ci` without any CI token falls back to the stored login. */
export async function sessionIdentity(ctx: CliContext, flags: CiFlags, stdinIsTTY: boolean): Promise<SessionIdentity> {
  const mode = ciModeOf(ctx.env, flags, stdinIsTTY);
  const ciOnly = flags.audience !== undefined || flags.idTokenEnv !== undefined || flags.idTokenFile !== undefined;
  if (mode === 'off') {
    if (ciOnly || flags.gateway !== undefined)
      throw new HoopError('usage', '--gateway, --audience, --id-token-env and --id-token-file need --ci', { hint: 'add --ci' });
    return loginIdentity(ctx);
  }
  const { idTokenFile, idTokenEnv } = flags;
  const detected = detectCiTokenSource(ctx.env, { ...(idTokenFile === undefined ? {} : { idTokenFile }), ...(idTokenEnv === undefined ? {} : { idTokenEnv }) });
  if (mode === 'explicit' || detected !== undefined) return ciIdentity(ctx, flags);
  // CI=true alone also holds for a person's shell inside a CI container: use their login if there is one.
  try {
    return await loginIdentity(ctx);
  } catch (e) {
    if (isHoopError(e, 'not_logged_in')) throw noCiTokenError(ctx.env, true);
    throw e;
  }
}
