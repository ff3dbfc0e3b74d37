/**
 * A CI platform's OIDC issuer for tests: discovery + JWKS on a local HTTP server, tokens signed
 * (RS256, like GitHub and GitLab) with GitHub Actions' or GitLab CI's claim shapes, and a fake
 * GitHub Actions token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`) that checks the request token
 * and hands out a token for the audience asked for.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** Claims of a GitHub Actions job token (a subset; the real one has more). */
export interface GitHubJob {
  repository: string;
  ref: string;
  environment?: string;
  workflow?: string;
  event_name?: string;
  actor?: string;
}

/** Claims of a GitLab CI job token (a subset). */
export interface GitLabJob {
  project_path: string;
  ref: string;
  ref_protected: boolean;
  environment?: string;
  pipeline_source?: string;
}

/** One request that reached the fake GitHub token endpoint. */
export interface TokenRequestSeen {
  authorization: string | undefined;
  audience: string | null;
}

/** A running test issuer. */
export interface CiIssuer {
  issuer: string;
  /** Signs a token with these claims (plus iss, iat, exp, jti); `aud` as given. */
  sign(claims: Record<string, unknown>, options: { audience: string; ttlSeconds?: number; expired?: boolean }): Promise<string>;
  /** GitHub Actions' claims for a job, in GitHub's own shapes (sub = repo:OWNER/REPO:environment:ENV or :ref:REF). */
  githubClaims(job: GitHubJob): Record<string, unknown>;
  /** GitLab CI's claims for a job (sub = project_path:GROUP/PROJECT:ref_type:branch:ref:REF). */
  gitlabClaims(job: GitLabJob): Record<string, unknown>;
  /** Env of a GitHub Actions job whose token endpoint answers with `job`'s claims. */
  githubActionsEnv(job: GitHubJob): Record<string, string>;
  tokenRequests: TokenRequestSeen[];
  close(): Promise<void>;
}

/** Starts the issuer on 127.0.0.1 (random port). */
export async function startCiIssuer(): Promise<CiIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'ci-test-key', alg: 'RS256', use: 'sig' };
  const jobs = new Map<string, GitHubJob>();
  const tokenRequests: TokenRequestSeen[] = [];
  let issuer = '';
  let self: CiIssuer | undefined;

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      send(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
      });
    } else if (url.pathname === '/.well-known/jwks') {
      send(res, 200, { keys: [jwk] });
    } else if (url.pathname === '/_apis/idtoken') {
      const authorization = req.headers.authorization;
      tokenRequests.push({ authorization, audience: url.searchParams.get('audience') });
      const requestToken = /^bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      const job = requestToken === undefined ? undefined : jobs.get(requestToken);
      // Like GitHub: the request token must match, and api-version must be kept from the URL.
      if (job === undefined || url.searchParams.get('api-version') !== '2.0') {
        send(res, 401, { message: 'Bad credentials' });
        return;
      }
      const audience = url.searchParams.get('audience') ?? 'https://github.com/test-owner';
      self!.sign(self!.githubClaims(job), { audience }).then(
        (value) => send(res, 200, { count: 1, value }),
        () => send(res, 500, {}),
      );
    } else {
      send(res, 404, { message: 'not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign = (claims: Record<string, unknown>, o: { audience: string; ttlSeconds?: number; expired?: boolean }): Promise<string> => {
    const now = Math.floor(Date.now() / 1000) - (o.expired === true ? 3600 : 0);
    return new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(o.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + (o.ttlSeconds ?? 300))
      .setJti(randomBytes(8).toString('hex'))
      .sign(privateKey as CryptoKey);
  };

  self = {
    get issuer() {
      return issuer;
    },
    sign,
    githubClaims(job) {
      const [owner] = job.repository.split('/');
      return {
        sub: job.environment === undefined ? `repo:${job.repository}:ref:${job.ref}` : `repo:${job.repository}:environment:${job.environment}`,
        repository: job.repository,
        repository_owner: owner,
        repository_id: '42',
        repository_owner_id: '7',
        repository_visibility: 'private',
        ref: job.ref,
        ref_type: job.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
        sha: 'a'.repeat(40),
        ...(job.environment === undefined ? {} : { environment: job.environment }),
        workflow: job.workflow ?? 'deploy',
        event_name: job.event_name ?? 'push',
        actor: job.actor ?? 'octocat',
        actor_id: '1',
        run_id: '1234',
        run_number: '5',
        run_attempt: '1',
        runner_environment: 'github-hosted',
        job_workflow_ref: `${job.repository}/.github/workflows/${job.workflow ?? 'deploy'}.yml@${job.ref}`,
      };
    },
    gitlabClaims(job) {
      const namespace = job.project_path.split('/').slice(0, -1).join('/');
      return {
        sub: `project_path:${job.project_path}:ref_type:branch:ref:${job.ref}`,
        namespace_id: '1',
        namespace_path: namespace,
        project_id: '22',
        project_path: job.project_path,
        user_id: '3',
        user_login: 'gitlab-user',
        user_email: 'gitlab-user@example.com',
        pipeline_id: '100',
        pipeline_source: job.pipeline_source ?? 'push',
        job_id: '200',
        ref: job.ref,
        ref_type: 'branch',
        ref_path: `refs/heads/${job.ref}`,
        ref_protected: String(job.ref_protected),
        ...(job.environment === undefined ? {} : { environment: job.environment, environment_protected: 'true' }),
        runner_id: 9,
        runner_environment: 'gitlab-hosted',
        sha: 'b'.repeat(40),
      };
    },
    githubActionsEnv(job) {
      const requestToken = randomBytes(16).toString('hex');
      jobs.set(requestToken, job);
      return {
        ACTIONS_ID_TOKEN_REQUEST_URL: `${issuer}/_apis/idtoken?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
        GITHUB_ACTIONS: 'true',
      };
    },
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return self;
}
