/**
 * Who the bench is: alice at the embedded IdP, logged in twice — by the real CLI in a temporary
 * HOME (for `connect`, `whoami`), and in this process through the same device flow (an ID token
 * to ask the gateway for session JWTs directly and to revoke sessions).
 */
import type { CreateSessionResponse, GatewayConfigResponse } from '../../src/api/wire.js';
import { discoverIssuer, initiateDeviceAuthorization, pollDeviceAuthorizationGrant } from '../../src/oidc/device-authorization.js';
import { approveDeviceCode } from '../../src/quickstart/device-approver.js';
import { createTempHome, startCli, type TempHome } from '../../test/support/cli-runner.js';
import { BENCH_USER } from './gateway-config.js';

/** `hoopctl login --gateway URL` as alice in a fresh temporary HOME. */
export async function loginCli(gatewayUrl: string): Promise<TempHome> {
  const home = await createTempHome();
  const login = startCli(['login', '--gateway', gatewayUrl], home.env);
  const url = await login.waitFor(/visit the following URL in your browser: (\S+)/);
  const code = await login.waitFor(/enter the code: (\S+)/);
  await approveDeviceCode({ verificationUri: url[1]!, userCode: code[1]!, username: BENCH_USER.username, password: BENCH_USER.password });
  const r = await login.done;
  if (r.code !== 0) throw new Error(`hoopctl login failed (${r.code}): ${r.stderr}`);
  return home;
}

/** The device flow in this process; resolves with alice's ID token. */
export async function deviceLoginIdToken(gatewayUrl: string): Promise<string> {
  const cfg = (await (await fetch(`${gatewayUrl}/v1/config`)).json()) as GatewayConfigResponse;
  if (cfg.issuer === undefined || cfg.clientId === undefined) throw new Error(`${gatewayUrl} serves CI jobs only: no issuer for people`);
  const issuer = await discoverIssuer(cfg.issuer, cfg.clientId);
  const handle = await initiateDeviceAuthorization(issuer, cfg.scopes ?? []);
  const polling = pollDeviceAuthorizationGrant(issuer, handle);
  await approveDeviceCode({
    verificationUri: handle.verification_uri,
    userCode: handle.user_code,
    username: BENCH_USER.username,
    password: BENCH_USER.password,
  });
  const tokens = await polling;
  if (tokens.id_token === undefined) throw new Error('the IdP returned no id_token');
  return tokens.id_token;
}

/** `POST /v1/sessions` with the ID token. */
export async function createSession(gatewayUrl: string, idToken: string, connection: string): Promise<CreateSessionResponse> {
  const r = await fetch(`${gatewayUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection }),
  });
  if (r.status !== 201) throw new Error(`POST /v1/sessions → ${r.status}: ${await r.text()}`);
  return (await r.json()) as CreateSessionResponse;
}

/** `DELETE /v1/sessions/:id` (revoke) with the owner's ID token. */
export async function revokeSession(gatewayUrl: string, idToken: string, sessionId: string): Promise<void> {
  const r = await fetch(`${gatewayUrl}/v1/sessions/${sessionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${idToken}` } });
  if (r.status !== 204) throw new Error(`DELETE /v1/sessions/${sessionId} → ${r.status}: ${await r.text()}`);
}
