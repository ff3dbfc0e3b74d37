/**
 * The CI job's own OIDC token, for `hoopctl … --ci`: from a file (`--id-token-file`), an env var
 * (`--id-token-env`, GitLab CI `id_tokens`), or GitHub Actions' token endpoint
 * (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, as actions/toolkit's
 * `core.getIDToken(audience)` asks it). No browser, keychain, prompt or stored secret.
 */
import { HoopError } from '../errors.js';

/** Where a CI token can come from, in the order they are tried. */
export type CiTokenSourceKind = 'file' | 'env' | 'github-actions' | 'default-env';

/** The env var the templates use for GitLab's `id_tokens` when no `--id-token-env` is given. */
export const DEFAULT_ID_TOKEN_ENV = 'HOOPCTL_ID_TOKEN';

/** What the caller asked for on the command line. */
export interface CiTokenRequest {
  idTokenFile?: string;
  idTokenEnv?: string;
  /** Audience to ask GitHub Actions for; resolved lazily (it may need the gateway's `/v1/config`). */
  audience?: () => Promise<string>;
}

/** I/O of obtainCiToken; tests pass their own. */
export interface CiTokenDeps {
  env: NodeJS.ProcessEnv;
  readFile(path: string): Promise<string>;
  fetch?: typeof fetch;
  /** Give up on the GitHub token endpoint after this long (default 10 s). */
  timeoutMs?: number;
}

/** A CI token and a description of where it came from (never the value). */
export interface CiToken {
  token: string;
  source: string;
}

const set = (v: string | undefined): v is string => v !== undefined && v !== '';

/** The source that would be used, or undefined when none is available (nothing is read or fetched). */
export function detectCiTokenSource(env: NodeJS.ProcessEnv, req: CiTokenRequest): CiTokenSourceKind | undefined {
  if (set(req.idTokenFile)) return 'file';
  if (set(req.idTokenEnv)) return 'env';
  if (set(env.ACTIONS_ID_TOKEN_REQUEST_URL) && set(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)) return 'github-actions';
  if (set(env[DEFAULT_ID_TOKEN_ENV])) return 'default-env';
  return undefined;
}

/** The "no token" error: exit 3, naming everything that was looked for. */
export function noCiTokenError(env: NodeJS.ProcessEnv, alsoLogin = false): HoopError {
  const half =
    set(env.ACTIONS_ID_TOKEN_REQUEST_URL) !== set(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
      ? ` (only ${set(env.ACTIONS_ID_TOKEN_REQUEST_URL) ? 'ACTIONS_ID_TOKEN_REQUEST_URL' : 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'} is set)`
      : '';
  return new HoopError(
    'not_logged_in',
    `no CI identity token: looked for --id-token-file, --id-token-env, ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN${half}, ` +
      `and ${DEFAULT_ID_TOKEN_ENV}${alsoLogin ? ', and a stored login' : ''}`,
    {
      hint: `GitHub Actions: give the job "permissions: id-token: write"; GitLab CI: declare "id_tokens: ${DEFAULT_ID_TOKEN_ENV}: aud: …"${alsoLogin ? '; a person: run hoopctl login' : ''}`,
    },
  );
}

function checkJwt(token: string, source: string): CiToken {
  const t = token.trim();
  // A JWS compact serialization: three base64url parts (RFC 7515 §7.1).
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(t)) {
    throw new HoopError('not_logged_in', `${source} does not hold a JWT`, { hint: 'check which variable or file the CI job writes its OIDC token to' });
  }
  return { token: t, source };
}

async function fromGitHubActions(deps: CiTokenDeps, audience: string): Promise<CiToken> {
  const url = new URL(deps.env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  url.searchParams.set('audience', audience);
  const source = `GitHub Actions (audience ${audience})`;
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(url, {
      headers: { authorization: `bearer ${deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN!}`, accept: 'application/json; api-version=2.0' },
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    throw new HoopError('not_logged_in', `cannot reach the GitHub Actions token endpoint ${url.origin}`, { cause });
  }
  if (!res.ok) {
    throw new HoopError('not_logged_in', `GitHub Actions refused the OIDC token request (HTTP ${res.status})`, {
      hint: 'give the job "permissions: id-token: write"',
    });
  }
  let value: unknown;
  try {
    value = ((await res.json()) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string') throw new HoopError('not_logged_in', 'the GitHub Actions token endpoint answered without a token');
  return checkJwt(value, source);
}

/** Reads or fetches the CI token; throws HoopError('not_logged_in') naming what was looked for. */
export async function obtainCiToken(deps: CiTokenDeps, req: CiTokenRequest): Promise<CiToken> {
  switch (detectCiTokenSource(deps.env, req)) {
    case 'file': {
      let text: string;
      try {
        text = await deps.readFile(req.idTokenFile!);
      } catch (cause) {
        throw new HoopError('not_logged_in', `cannot read the CI token file ${req.idTokenFile!}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
          cause,
        });
      }
      return checkJwt(text, `the file ${req.idTokenFile!}`);
    }
    case 'env': {
      const v = deps.env[req.idTokenEnv!];
      if (!set(v))
        throw new HoopError('not_logged_in', `the env var ${req.idTokenEnv!} (--id-token-env) is not set`, {
          hint: `GitLab CI: declare it under id_tokens: in .gitlab-ci.yml`,
        });
      return checkJwt(v, `the env var ${req.idTokenEnv!}`);
    }
    case 'github-actions': {
      if (req.audience === undefined) throw new HoopError('usage', 'no audience for the GitHub Actions token', { hint: 'pass --audience' });
      return fromGitHubActions(deps, await req.audience());
    }
    case 'default-env':
      return checkJwt(deps.env[DEFAULT_ID_TOKEN_ENV]!, `the env var ${DEFAULT_ID_TOKEN_ENV}`);
    default:
      throw noCiTokenError(deps.env);
  }
}

/** The audience to ask for: the only one the gateway's CI issuers expect, or GitHub's issuer's when several differ. */
export function defaultCiAudience(ci: { issuer: string; audience: string }[] | undefined, gateway: string): string {
  const list = ci ?? [];
  if (list.length === 0) {
    throw new HoopError('config_invalid', `the gateway ${gateway} trusts no CI issuer (oidc.issuers[] with kind: ci)`, {
      hint: 'ask a gateway admin to add one, or pass --audience',
    });
  }
  const audiences = [...new Set(list.map((c) => c.audience))];
  if (audiences.length === 1) return audiences[0]!;
  const github = list.find((c) => new URL(c.issuer).hostname === 'token.actions.githubusercontent.com');
  if (github !== undefined) return github.audience;
  throw new HoopError('usage', `the gateway trusts several CI issuers with different audiences (${audiences.join(', ')})`, { hint: 'pass --audience' });
}
