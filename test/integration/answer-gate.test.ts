// The gate, by enumeration (DESIGN.md invariant 1): every route × every Upgrade/Accept/Accept-Encoding shape, sent
// on raw sockets to a running gateway whose upstream holds sentinel values. Oracles: no sentinel in any byte a client
// receives (nor in the audit store or the gateway log); a protocol switch (101) only for exec/attach/portforward on
// pods; every hoopctl refusal a Status; nothing changed upstream by a read-only caller. The property-based adversary
// (adversary.test.ts) generates what this table does not list.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findSentinels } from '../support/sentinels.js';
import { send, startHarness, type Harness } from './gateway-harness.js';
import type { CreateSessionResponse } from '../../src/api/wire.js';

const SENTINELS = ['S3NT1NEL-GATE-SECRET-01', 'S3NT1NEL-GATE-CMPASS-02', 'S3NT1NEL-GATE-APPLIED-03', 'S3NT1NEL-GATE-STRDATA-04'];
const [SECRET_VALUE, CM_PASSWORD, APPLIED, STRDATA] = SENTINELS as [string, string, string, string];

const READ_ONLY_POLICY = {
  roles: [
    {
      name: 'read',
      rules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] },
        { verbs: ['get'], nonResourceURLs: ['*'] },
        // exec is allowed so the one upgradable route really upgrades; it changes nothing in the object store.
        { verbs: ['create', 'get'], apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'], namespaces: ['*'] },
      ],
    },
  ],
  bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['read'] }],
};

const ROUTES = [
  '/api/v1/namespaces/demo/secrets/db',
  '/api/v1/namespaces/demo/secrets',
  '/api/v1/secrets',
  '/api/v1/namespaces/demo/secrets?watch=true&timeoutSeconds=1',
  '/api/v1/namespaces/demo/secrets/db?fieldSelector=metadata.name%3Ddb',
  '/api/v1/namespaces/demo/configmaps/app',
  '/api/v1/namespaces/demo/configmaps?watch=1&timeoutSeconds=1',
  '/api/v1/namespaces/demo/secrets/db/status',
  '/api/v1/namespaces/demo/pods/web/log',
  '/api/v1/namespaces/demo/pods/web/exec?command=true&stdout=true',
  '/api/v1/namespaces/demo/pods/web/proxy/',
  '/api/v1/namespaces/demo/services/web/proxy/',
  '/api',
  '/apis',
  '/version',
  '/openapi/v2',
];

const UPGRADES: Record<string, string[]> = {
  none: [],
  foo: ['Connection: Upgrade', 'Upgrade: foo'],
  h2c: ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'],
  websocket: [
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Protocol: v5.channel.k8s.io',
  ],
  spdy: ['Connection: Upgrade', 'Upgrade: SPDY/3.1', 'X-Stream-Protocol-Version: v4.channel.k8s.io'],
};
const ACCEPTS = ['application/json', 'application/vnd.kubernetes.protobuf', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/yaml', '*/*'];
const ENCODINGS = ['identity', 'gzip'];

let h: Harness;
let base: string;
let session: CreateSessionResponse;

/** Sends one raw request and returns every byte received until the peer closes or goes quiet. */
function rawExchange(path: string, method: string, lines: string[]): Promise<{ bytes: Buffer; statusLine: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write([`${method} /k8s/prod${path} HTTP/1.1`, `Host: ${u.host}`, `Authorization: Bearer ${session.token}`, ...lines, '', ''].join('\r\n'));
    });
    let idle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(idle);
      clearTimeout(cap);
      socket.destroy();
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, statusLine: bytes.toString('latin1').split('\r\n')[0] ?? '' });
    };
    // A watch or an exec stays open: what arrived within the quiet period is what a client would have seen first.
    // The cap only bounds a stream that never goes quiet; a loaded machine may take seconds for the first byte.
    const cap = setTimeout(finish, 20_000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      clearTimeout(idle);
      idle = setTimeout(finish, 400);
    });
    socket.on('close', finish);
    socket.on('error', (e) => (chunks.length > 0 ? finish() : reject(e)));
  });
}

function isUpgradable(path: string): boolean {
  return /\/pods\/[^/]+\/(exec|attach|portforward)(\?|$)/.test(path);
}

describe('the gate: every route × every header shape', () => {
  before(async () => {
    h = await startHarness({ config: { policy: READ_ONLY_POLICY } });
    base = h.gateway.url;
    h.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    h.kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'db',
        namespace: 'demo',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', stringData: { token: APPLIED } }),
        },
      },
      type: 'Opaque',
      data: { password: Buffer.from(SECRET_VALUE).toString('base64'), token: Buffer.from(STRDATA).toString('base64') },
    });
    h.kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app', namespace: 'demo' },
      data: { password: CM_PASSWORD, 'app.conf': `db.password=${CM_PASSWORD}\n` },
    });
    h.kube.apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
    h.kube.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'demo' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    await h.kube.settled();
    const r = await send(
      base,
      'POST',
      '/v1/sessions',
      { authorization: `Bearer ${h.idTokens.alice}`, 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(r.status, 201, r.body);
    session = r.json as CreateSessionResponse;
  });
  after(() => h.close());

  test(`${ROUTES.length} routes × ${Object.keys(UPGRADES).length} upgrade shapes × ${ACCEPTS.length} Accept × ${ENCODINGS.length} Accept-Encoding`, async () => {
    const snapshot = (): string =>
      JSON.stringify([h.kube.get({ kind: 'Secret', namespace: 'demo', name: 'db' }), h.kube.get({ kind: 'ConfigMap', namespace: 'demo', name: 'app' })]);
    const upstreamBefore = snapshot();
    const cases: { path: string; method: string; shape: string; lines: string[] }[] = [];
    for (const path of ROUTES) {
      for (const [shape, upgrade] of Object.entries(UPGRADES)) {
        for (const accept of ACCEPTS) {
          for (const encoding of ENCODINGS) {
            cases.push({
              path,
              method: shape === 'spdy' ? 'POST' : 'GET',
              shape,
              lines: [...upgrade, `Accept: ${accept}`, `Accept-Encoding: ${encoding}`, ...(shape === 'spdy' ? ['Content-Length: 0'] : [])],
            });
          }
        }
      }
    }
    const problems: string[] = [];
    let upgraded = 0;
    const queue = [...cases];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
          const { bytes, statusLine } = await rawExchange(c.path, c.method, c.lines);
          const where = `${c.method} ${c.path} [${c.lines.join(' | ')}]`;
          const text = bytes.toString('latin1');
          for (const hit of findSentinels(text, SENTINELS)) problems.push(`${where}: sentinel ${hit.form} reached the client: …${hit.context}…`);
          const code = Number(statusLine.split(' ')[1]);
          if (!/^HTTP\/1\.1 \d{3} /.test(statusLine)) {
            problems.push(`${where}: not an HTTP/1.1 answer: ${JSON.stringify(text.slice(0, 80))}`);
            continue;
          }
          if (code === 101) {
            upgraded++;
            if (!isUpgradable(c.path)) problems.push(`${where}: switched protocols on a route that may not`);
          }
          const headerEnd = text.indexOf('\r\n\r\n');
          const headers = text.slice(0, headerEnd).toLowerCase();
          // The masker decodes before it masks and never compresses again: a compressed answer here would hide from the grep.
          if (/content-encoding: *(?!identity)/.test(headers) && /secrets|configmaps|pods/.test(c.path))
            problems.push(`${where}: a compressed answer passed the gate`);
          if (code >= 400 && headers.includes('audit-id:') && headers.includes('application/json')) {
            const body = text.slice(headerEnd + 4);
            if (!body.includes('"kind":"Status"')) problems.push(`${where}: a ${code} without a Status body`);
          }
        }
      }),
    );
    assert.deepEqual(problems.slice(0, 20), []);
    assert.ok(upgraded > 0, 'the exec route did upgrade (the table exercises the upgraded path too)');
    assert.equal(snapshot(), upstreamBefore, 'nothing changed upstream');
    const db = await readFile(join(h.dir, 'state', 'gw.db'));
    assert.deepEqual(
      findSentinels(db.toString('latin1'), SENTINELS).map((x) => x.form),
      [],
      'audit store',
    );
    assert.deepEqual(
      findSentinels(h.logs.join('\n'), SENTINELS).map((x) => x.form),
      [],
      'gateway log',
    );
  });
});
