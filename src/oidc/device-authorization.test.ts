/**
 * RFC 8628 §3.5 polling rules as openid-client applies them, against a tiny fake authorization
 * server on a real socket: `interval` is waited between polls and `slow_down` adds 5 s.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discoverIssuer, initiateDeviceAuthorization, pollDeviceAuthorizationGrant } from './device-authorization.js';
import { isLoopbackHost } from '../credential/loopback-host.js';
import { isHoopError } from '../errors.js';

let server: Server;
let issuer: string;
let answers: { status: number; body: Record<string, unknown> }[] = [];
const polls: number[] = [];

before(async () => {
  server = createServer((req, res) => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') {
      json(200, { issuer, device_authorization_endpoint: `${issuer}/device/auth`, token_endpoint: `${issuer}/token` });
    } else if (req.url === '/device/auth') {
      json(200, { device_code: 'dc', user_code: 'ABCD-EFGH', verification_uri: `${issuer}/device`, expires_in: 60, interval: 0.1 });
    } else if (req.url === '/token') {
      polls.push(performance.now());
      const next = answers.shift() ?? { status: 400, body: { error: 'expired_token' } };
      json(next.status, next.body);
    } else {
      json(404, {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('pollDeviceAuthorizationGrant', () => {
  it('waits `interval` between polls and 5 s more after slow_down', async () => {
    polls.length = 0;
    answers = [
      { status: 400, body: { error: 'authorization_pending' } },
      { status: 400, body: { error: 'slow_down' } },
      { status: 200, body: { access_token: 'at', token_type: 'Bearer', expires_in: 60 } },
    ];
    const config = await discoverIssuer(issuer, 'hoopctl');
    const handle = await initiateDeviceAuthorization(config, ['profile']);
    const started = performance.now();
    const tokens = await pollDeviceAuthorizationGrant(config, handle);
    assert.equal(tokens.access_token, 'at');
    assert.equal(polls.length, 3);
    const [first, second, third] = polls as [number, number, number];
    assert.ok(first - started >= 90, `first poll after the 0.1 s interval (${first - started} ms)`);
    assert.ok(second - first >= 90 && second - first < 1000, `pending keeps the interval (${second - first} ms)`);
    assert.ok(third - second >= 5000, `slow_down adds 5 s (${third - second} ms)`);
  });

  it('reports access_denied as login_failed and stops on abort', async () => {
    const config = await discoverIssuer(issuer, 'hoopctl');
    answers = [{ status: 400, body: { error: 'access_denied' } }];
    await assert.rejects(
      pollDeviceAuthorizationGrant(config, await initiateDeviceAuthorization(config, ['openid'])),
      (e: unknown) => isHoopError(e, 'login_failed') && /denied/.test(e.message),
    );
    answers = Array.from({ length: 50 }, () => ({ status: 400, body: { error: 'authorization_pending' } }));
    await assert.rejects(
      pollDeviceAuthorizationGrant(config, await initiateDeviceAuthorization(config, ['openid']), { signal: AbortSignal.timeout(300) }),
      (e: unknown) => isHoopError(e, 'login_failed') && e.message === 'login cancelled',
    );
  });
});

describe('discoverIssuer', () => {
  it('refuses plain-HTTP issuers that are not loopback, before any request', async () => {
    let fetched = false;
    const spy = (async () => {
      fetched = true;
      throw new Error('no');
    }) as typeof fetch;
    await assert.rejects(discoverIssuer('http://idp.example.com', 'hoopctl', { fetch: spy }), (e: unknown) => isHoopError(e, 'config_invalid'));
    await assert.rejects(discoverIssuer('ftp://idp.example.com', 'hoopctl', { fetch: spy }), (e: unknown) => isHoopError(e, 'config_invalid'));
    assert.equal(fetched, false);
  });

  it('knows which hosts are loopback', () => {
    for (const h of ['localhost', '127.0.0.1', '127.8.9.10', '[::1]', 'idp.localhost']) assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['example.com', '10.0.0.1', '127.0.0.1.nip.io', 'localhost.example.com', '[::2]']) assert.equal(isLoopbackHost(h), false, h);
  });
});
