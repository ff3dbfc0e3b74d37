import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSessionClaims } from '../../credential/session-claims.js';
import { openSqliteStore } from '../../store/sqlite-store.js';
import type { SessionRecord } from '../../store/store.js';
import type { GatewayContext } from '../gateway-context.js';
import { createSessionTokens } from '../session-token.js';
import { loadSigningKeys } from '../signing-keys.js';
import { inMemoryExchange } from '../../../test/support/pipeline-exchange.js';
import { createAuthenticate } from './authenticate.js';
import { isRefusal } from './exchange.js';

const ISSUER = 'https://gw.test';
const NOW = Date.parse('2026-03-01T10:00:00Z');
const now = (): number => NOW;

type Want = { code: 401 | 503; message: RegExp } | { sub: string; sid: string; conn: string; role?: string; ns?: string; groups: string[] };

test('authenticate: the bearer token → the verified session on the exchange, or a 401 Status saying why and what to run', async (t) => {
  const store = await openSqliteStore(':memory:');
  t.after(() => store.close());
  const keys = await loadSigningKeys(store, { now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
  t.after(() => keys.close());
  // cacheMs 0: every request reads the session from the store, as a request after the cache window does.
  const sessionTokens = createSessionTokens({ keys, store, issuer: ISSUER, now, cacheMs: 0 });
  const gw = { now, sessionTokens } as GatewayContext;
  const authenticate = createAuthenticate(gw);

  const session = async (id: string, over: Partial<SessionRecord> = {}): Promise<SessionRecord> => {
    const s: SessionRecord = {
      id,
      user: 'alice',
      groups: ['dev'],
      connection: 'prod',
      namespace: 'demo',
      role: 'view',
      reason: null,
      createdAt: new Date(NOW - 60_000).toISOString(),
      expiresAt: new Date(NOW + 3_600_000).toISOString(),
      endedAt: null,
      endReason: null,
      ...over,
    };
    await store.createSession(s);
    return s;
  };
  const claimsOf = (s: SessionRecord, over: { nowSeconds?: number; ttlSeconds?: number; issuer?: string } = {}) =>
    buildSessionClaims({
      issuer: over.issuer ?? ISSUER,
      user: s.user,
      groups: s.groups,
      sessionId: s.id,
      connection: s.connection,
      ...(s.namespace === null ? {} : { namespace: s.namespace }),
      ...(s.role === null ? {} : { role: s.role }),
      nowSeconds: over.nowSeconds ?? NOW / 1000,
      ttlSeconds: over.ttlSeconds ?? 3600,
      jti: `j-${s.id}`,
    });

  const live = await session('s-live');
  const valid = await sessionTokens.sign(claimsOf(live));
  const revoked = await session('s-revoked');
  await store.endSession(revoked.id, new Date(NOW - 1000).toISOString(), 'revoked by bob');
  const staging = await session('s-staging', { connection: 'staging', role: null, namespace: null });
  const lapsed = await session('s-lapsed', { expiresAt: new Date(NOW - 1000).toISOString() });
  const foreignStore = await openSqliteStore(':memory:');
  t.after(() => foreignStore.close());
  const foreignKeys = await loadSigningKeys(foreignStore, { now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
  t.after(() => foreignKeys.close());
  const foreign = createSessionTokens({ keys: foreignKeys, store: foreignStore, issuer: ISSUER, now });
  const unknownSession: SessionRecord = { ...live, id: 's-unknown' };

  const rows: [name: string, authorization: string | undefined, want: Want][] = [
    ['no Authorization header', undefined, { code: 401, message: /^no session token; run hoopctl connect prod$/ }],
    ['not a bearer token', `Basic ${Buffer.from('alice:pw').toString('base64')}`, { code: 401, message: /^no session token; run hoopctl connect prod$/ }],
    ['bearer without a token', 'Bearer ', { code: 401, message: /^no session token/ }],
    ['malformed token', 'Bearer not-a-jwt', { code: 401, message: /^the bearer token is not a session token$/ }],
    [
      'wrong issuer',
      `Bearer ${await sessionTokens.sign(claimsOf(live, { issuer: 'https://other.test' }))}`,
      { code: 401, message: /^the session token was refused: .*"iss".*; run hoopctl connect prod$/ },
    ],
    [
      'expired token',
      `Bearer ${await sessionTokens.sign(claimsOf(live, { nowSeconds: NOW / 1000 - 7200, ttlSeconds: 60 }))}`,
      { code: 401, message: /^the session has expired; run hoopctl connect prod$/ },
    ],
    [
      'revoked session',
      `Bearer ${await sessionTokens.sign(claimsOf(revoked))}`,
      { code: 401, message: /^session s-revoked has ended \(revoked by bob\); run hoopctl connect prod$/ },
    ],
    [
      'session past its end in the store',
      `Bearer ${await sessionTokens.sign(claimsOf(lapsed))}`,
      { code: 401, message: /^session s-lapsed has expired; run hoopctl connect prod$/ },
    ],
    [
      'session unknown to the store',
      `Bearer ${await sessionTokens.sign(claimsOf(unknownSession))}`,
      { code: 401, message: /^session s-unknown is unknown to this gateway/ },
    ],
    [
      'unknown kid (another gateway’s key)',
      `Bearer ${await foreign.sign(claimsOf(live))}`,
      { code: 401, message: /^the session token was not signed by a current key of this gateway \(unknown or retired key\); run hoopctl connect prod$/ },
    ],
    [
      'session for another connection',
      `Bearer ${await sessionTokens.sign(claimsOf(staging))}`,
      { code: 401, message: /^this session is for connection "staging", not "prod"; run hoopctl connect prod$/ },
    ],
    ['valid', `Bearer ${valid}`, { sub: 'alice', sid: 's-live', conn: 'prod', role: 'view', ns: 'demo', groups: ['dev'] }],
    ['valid, scheme in lower case', `bearer ${valid}`, { sub: 'alice', sid: 's-live', conn: 'prod', role: 'view', ns: 'demo', groups: ['dev'] }],
  ];

  for (const [name, authorization, want] of rows) {
    const { x } = inMemoryExchange(gw, { kubePath: '/api/v1/namespaces/demo/pods', ...(authorization === undefined ? {} : { headers: { authorization } }) });
    const got = await authenticate(x);
    if ('code' in want) {
      assert.ok(isRefusal(got), `${name}: accepted`);
      assert.equal(got.code, want.code, name);
      assert.equal(got.reason, want.code === 401 ? 'Unauthorized' : 'ServiceUnavailable', name);
      assert.match(got.message, want.message, name);
      assert.equal(x.refusedBy, 'authenticate', name);
      // A verified session for another connection stays on the exchange: the audit names who tried.
      assert.equal(x.session?.claims.conn, name === 'session for another connection' ? 'staging' : undefined, name);
      continue;
    }
    assert.ok(!isRefusal(got), `${name}: refused: ${isRefusal(got) ? got.message : ''}`);
    assert.equal(got, x, `${name}: the same exchange, narrowed`);
    const { claims, session: record } = got.session;
    assert.deepEqual(
      { sub: claims.sub, sid: claims.sid, conn: claims.conn, role: claims.role, ns: claims.ns, groups: claims.groups },
      { role: undefined, ns: undefined, ...want },
      name,
    );
    assert.deepEqual([record.id, record.user, record.connection, record.endedAt], [want.sid, want.sub, want.conn, null], name);
    assert.equal(x.refusedBy, undefined, name);
  }
});

test('authenticate: a store it cannot reach is a 503 Status, not a 401 that would send the user to log in again', async () => {
  const store = await openSqliteStore(':memory:');
  const keys = await loadSigningKeys(store, { now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
  const sessionTokens = createSessionTokens({ keys, store, issuer: ISSUER, now, cacheMs: 0 });
  const token = await sessionTokens.sign(
    buildSessionClaims({ issuer: ISSUER, user: 'alice', groups: [], sessionId: 's-1', connection: 'prod', nowSeconds: NOW / 1000, ttlSeconds: 3600, jti: 'j' }),
  );
  keys.close();
  await store.close();
  const gw = { now, sessionTokens } as GatewayContext;
  const { x } = inMemoryExchange(gw, { kubePath: '/api/v1/pods', headers: { authorization: `Bearer ${token}` } });
  const got = await createAuthenticate(gw)(x);
  assert.ok(isRefusal(got));
  assert.deepEqual([got.code, got.reason, got.message], [503, 'ServiceUnavailable', 'the gateway cannot reach its store; try again shortly']);
  assert.equal(x.refusedBy, 'authenticate');
});
