import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildClientResponseHeaders,
  buildUpstreamHeaders,
  clientBearerToken,
  forwardRequestHeaders,
  relayedResponseHeaders,
  stripBearerSubprotocols,
} from './forward-headers.js';

const bearerEntry = (token: string): string => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;

test('buildUpstreamHeaders drops credentials, identity, hop-by-hop and Connection-listed headers', () => {
  const raw = [
    'Host',
    '127.0.0.1:4000',
    'Authorization',
    'Bearer local',
    'Impersonate-User',
    'root',
    'IMPERSONATE-GROUP',
    'a',
    'impersonate-group',
    'b',
    'Impersonate-Extra-Foo',
    'x',
    'X-Remote-User',
    'u',
    'X-REMOTE-EXTRA-X',
    'y',
    'Connection',
    'close, X-Secret',
    'X-Secret',
    's',
    'TE',
    'trailers',
    'Transfer-Encoding',
    'chunked',
    'Expect',
    '100-continue',
    'Upgrade',
    'h2c',
    'Accept',
    'application/json',
    'Audit-ID',
    'id-1',
    'X-Other',
    '1',
    'X-Other',
    '2',
  ];
  assert.deepEqual(buildUpstreamHeaders(raw, { bearer: 'jwt' }), {
    accept: 'application/json',
    'audit-id': 'id-1',
    'x-other': ['1', '2'],
    authorization: 'Bearer jwt',
  });
});

test('buildUpstreamHeaders keeps the upgrade and filters bearer subprotocols', () => {
  const raw = ['Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Protocol', `${bearerEntry('t')}, v5.channel.k8s.io`, 'Sec-WebSocket-Key', 'k'];
  assert.deepEqual(buildUpstreamHeaders(raw, { bearer: 'jwt', upgrade: 'websocket' }), {
    'sec-websocket-protocol': 'v5.channel.k8s.io',
    'sec-websocket-key': 'k',
    connection: 'Upgrade',
    upgrade: 'websocket',
    authorization: 'Bearer jwt',
  });
  const onlyBearer = ['Sec-WebSocket-Protocol', bearerEntry('t').toUpperCase()];
  assert.equal(buildUpstreamHeaders(onlyBearer, { bearer: 'jwt' })['sec-websocket-protocol'], undefined);
});

test('stripBearerSubprotocols', () => {
  const cases: [string | string[] | undefined, string | undefined][] = [
    [undefined, undefined],
    ['v5.channel.k8s.io', 'v5.channel.k8s.io'],
    [`${bearerEntry('a')},v4.channel.k8s.io , v5.channel.k8s.io`, 'v4.channel.k8s.io, v5.channel.k8s.io'],
    [[bearerEntry('a'), 'x'], 'x'],
    [bearerEntry('a'), undefined],
  ];
  for (const [input, want] of cases) assert.equal(stripBearerSubprotocols(input), want, String(input));
});

test('clientBearerToken reads Authorization first, then the WebSocket subprotocol', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{}, undefined],
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer  abc ' }, 'abc'],
    [{ authorization: 'Basic abc' }, undefined],
    [{ authorization: 'Bearer a b' }, undefined],
    [{ 'sec-websocket-protocol': `v5.channel.k8s.io, ${bearerEntry('tok')}` }, 'tok'],
    [{ authorization: 'Basic x', 'sec-websocket-protocol': bearerEntry('tok') }, undefined],
  ];
  for (const [headers, want] of cases) assert.equal(clientBearerToken(headers), want, JSON.stringify(headers));
});

test('buildClientResponseHeaders drops hop-by-hop fields only', () => {
  assert.deepEqual(
    buildClientResponseHeaders({
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      connection: 'keep-alive, x-hop',
      'x-hop': '1',
      'keep-alive': 'timeout=5',
      'audit-id': 'a',
      'set-cookie': ['a', 'b'],
      'x-none': undefined,
    }),
    { 'content-type': 'application/json', 'audit-id': 'a', 'set-cookie': ['a', 'b'] },
  );
});

test('forwardRequestHeaders drops what buildUpstreamHeaders drops, as a flat list with repeated fields kept apart', () => {
  const raw = [
    'Host',
    '127.0.0.1:4000',
    'Authorization',
    'Bearer local',
    'Impersonate-User',
    'root',
    'IMPERSONATE-GROUP',
    'a',
    'Impersonate-Extra-Foo',
    'x',
    'X-Remote-User',
    'u',
    'Connection',
    'close, X-Secret',
    'connection',
    'x-other-secret',
    'X-Secret',
    's',
    'X-Other-Secret',
    's2',
    'TE',
    'trailers',
    'Transfer-Encoding',
    'chunked',
    'Expect',
    '100-continue',
    'Upgrade',
    'h2c',
    'Proxy-Authorization',
    'Basic x',
    'Accept',
    'application/json',
    'Audit-ID',
    'id-1',
    'X-Other',
    '1',
    'X-Other',
    '2',
    'Sec-WebSocket-Protocol',
    `${bearerEntry('t')}, v5.channel.k8s.io`,
    'sec-websocket-protocol',
    bearerEntry('u'),
  ];
  assert.deepEqual(forwardRequestHeaders(raw, 'jwt'), [
    'accept',
    'application/json',
    'audit-id',
    'id-1',
    'x-other',
    '1',
    'x-other',
    '2',
    'sec-websocket-protocol',
    'v5.channel.k8s.io',
    'authorization',
    'Bearer jwt',
  ]);
  assert.deepEqual(forwardRequestHeaders([], 'jwt'), ['authorization', 'Bearer jwt']);
});

test('relayedResponseHeaders drops hop-by-hop and Connection-listed fields and reads the ones the proxy needs', () => {
  const raw = [
    'Content-Type',
    'application/json',
    'Transfer-Encoding',
    'chunked',
    'Connection',
    'keep-alive, X-Hop',
    'X-Hop',
    '1',
    'Keep-Alive',
    'timeout=5',
    'Audit-Id',
    'a',
    'Set-Cookie',
    'a',
    'Set-Cookie',
    'b',
    'Content-Length',
    '12',
    'X-Hoopctl-Masked',
    'builtin-1',
    'X-Hoopctl-Summary',
    'eyJr',
    'Content-Encoding',
    'gzip',
    'x-caf\xe9',
    'caf\xe9',
  ].map((v) => Buffer.from(v, 'latin1'));
  assert.deepEqual(relayedResponseHeaders(raw), {
    headers: [
      'content-type',
      'application/json',
      'audit-id',
      'a',
      'set-cookie',
      'a',
      'set-cookie',
      'b',
      'content-length',
      '12',
      'x-hoopctl-masked',
      'builtin-1',
      'x-hoopctl-summary',
      'eyJr',
      'content-encoding',
      'gzip',
      'x-caf\xe9',
      'caf\xe9',
    ],
    contentType: 'application/json',
    contentLength: '12',
    masked: 'builtin-1',
    summary: 'eyJr',
    contentEncoding: 'gzip',
  });
  assert.deepEqual(relayedResponseHeaders([]), { headers: [] });
});
