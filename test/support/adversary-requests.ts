// fast-check arbitraries for the adversary suite: requests as an attacker writes them — every kind of
// path the gateway classifies (and the tricks kube-apiserver may read differently), odd query
// parameters, Connection/Upgrade/Accept/Accept-Encoding/Content-Type combinations, identity headers,
// credential variants, bodies — and their rendering as raw HTTP/1.1 bytes.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';

/** How the caller presents its credential. */
export type AuthChoice =
  'bearer' | 'bearer-lowercase' | 'bearer-extra-space' | 'none' | 'junk' | 'junk-then-bearer' | 'bearer-then-junk' | 'websocket-protocol';

/** A request body and how it is framed on the wire. */
export interface GenBody {
  text: string;
  framing: 'length' | 'chunked';
  gzip: boolean;
}

/** One generated request; the credential is filled in when rendered. */
export interface GenRequest {
  target: 'proxy' | 'gateway';
  method: string;
  /** The Kubernetes path (after `/k8s/prod` on the gateway), query string included. */
  path: string;
  headers: [string, string][];
  auth: AuthChoice;
  body?: GenBody;
  /** On the gateway: another connection name in `/k8s/<name>` than the session's (`prod`). */
  connection?: string;
}

/** What the generator may name: live pod names from the seeded cluster. */
export interface World {
  pods: readonly string[];
}

// Shrinking may move to an earlier alternative (the plain one), so a counterexample ends as simple as it can.
const CROSS = { withCrossShrink: true } as const;

interface ResourceKind {
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  names: readonly string[];
}

const kinds = (w: World): ResourceKind[] => [
  { group: '', version: 'v1', resource: 'secrets', namespaced: true, names: ['db-creds', 'csa', 'root-creds', 'nope'] },
  { group: '', version: 'v1', resource: 'configmaps', namespaced: true, names: ['app-config', 'nope'] },
  { group: '', version: 'v1', resource: 'pods', namespaced: true, names: [...w.pods, `${w.pods[0]}:80`, 'nope'] },
  { group: '', version: 'v1', resource: 'services', namespaced: true, names: ['web', 'web:http', 'kubernetes'] },
  { group: '', version: 'v1', resource: 'events', namespaced: true, names: ['x'] },
  { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, names: ['default'] },
  { group: '', version: 'v1', resource: 'namespaces', namespaced: false, names: ['demo', 'prod', 'default'] },
  { group: '', version: 'v1', resource: 'nodes', namespaced: false, names: ['node-1'] },
  { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, names: ['web'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true, names: ['web'] },
  { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true, names: ['j'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, names: ['admin'] },
  { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, names: ['w'] },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', namespaced: false, names: [] },
  { group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', namespaced: false, names: [] },
];

const SUBRESOURCES = [
  'status',
  'scale',
  'log',
  'exec',
  'attach',
  'portforward',
  'proxy',
  'ephemeralcontainers',
  'eviction',
  'binding',
  'token',
  'finalize',
  'junk',
] as const;

const NON_RESOURCE = [
  '/version',
  '/api',
  '/api/v1',
  '/apis',
  '/apis/apps',
  '/apis/apps/v1',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/api/v1',
  '/healthz',
  '/livez',
  '/readyz',
  '/readyz/etcd',
  '/metrics',
  '/debug/pprof/',
  '/logs',
  '/.well-known/openid-configuration',
  '/openid/v1/jwks',
  '/',
  '',
];

const arbSegments = (w: World): fc.Arbitrary<string[]> =>
  fc.oneof(
    CROSS,
    {
      weight: 5,
      arbitrary: fc
        .record({
          // The kinds that hold sentinels come up four times as often as the others.
          kind: fc.oneof(
            CROSS,
            ...kinds(w).map((k) => ({ weight: ['secrets', 'configmaps', 'deployments', 'pods'].includes(k.resource) ? 4 : 1, arbitrary: fc.constant(k) })),
          ),
          ns: fc.oneof(CROSS, { weight: 5, arbitrary: fc.constant('demo') }, { weight: 3, arbitrary: fc.constantFrom('prod', 'default', 'nope', '') }),
          name: fc.option(fc.nat(), { nil: undefined }),
          sub: fc.oneof(CROSS, { weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...SUBRESOURCES) }),
          proxyRest: fc.constantFrom([], ['x'], ['api', 'v1', 'secrets']),
          watchPrefix: fc.oneof(CROSS, { weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        })
        .map(({ kind, ns, name, sub, proxyRest, watchPrefix }) => {
          const base = kind.group === '' ? ['api', kind.version] : ['apis', kind.group, kind.version];
          const segs = [...base];
          if (watchPrefix) segs.push('watch');
          if (kind.namespaced && ns !== '') segs.push('namespaces', ns);
          segs.push(kind.resource);
          if (name !== undefined && kind.names.length > 0) {
            segs.push(kind.names[name % kind.names.length]!);
            if (sub !== undefined) segs.push(sub, ...(sub === 'proxy' ? proxyRest : []));
          }
          return segs;
        }),
    },
    { weight: 2, arbitrary: fc.constantFrom(...NON_RESOURCE).map((p) => p.split('/').slice(1)) },
  );

/** Path tricks: the ones a gateway and kube-apiserver might read differently. */
type Trick = 'none' | 'trailing-slash' | 'double-slash' | 'dot' | 'dotdot' | 'escape-char' | 'escape-slash' | 'upper' | 'semicolon' | 'nul' | 'escape-dotdot';

function applyTrick(segs: string[], trick: Trick, at: number): string {
  const s = [...segs];
  const i = s.length === 0 ? 0 : at % s.length;
  switch (trick) {
    case 'trailing-slash':
      return `/${s.join('/')}/`;
    case 'double-slash':
      s.splice(i, 0, '');
      break;
    case 'dot':
      s.splice(i, 0, '.');
      break;
    case 'dotdot':
      s.splice(i, 0, 'configmaps', '..');
      break;
    case 'escape-dotdot':
      s.splice(i, 0, 'configmaps', '%2e%2e');
      break;
    case 'escape-char':
      if (s[i]) s[i] = `%${s[i]!.charCodeAt(0).toString(16).padStart(2, '0')}${s[i]!.slice(1)}`;
      break;
    case 'escape-slash':
      if (i + 1 < s.length) s.splice(i, 2, `${s[i]}%2F${s[i + 1]}`);
      break;
    case 'upper':
      if (s[i]) s[i] = s[i]!.toUpperCase();
      break;
    case 'semicolon':
      if (s[i]) s[i] = `${s[i]};x=1`;
      break;
    case 'nul':
      if (s[i]) s[i] = `${s[i]}%00`;
      break;
    default:
      break;
  }
  return `/${s.join('/')}`;
}

const QUERY_PARAMS: fc.Arbitrary<string>[] = [
  fc.constantFrom('watch=true', 'watch=True', 'watch=1', 'watch=false', 'watch=0', 'watch=', 'watch', 'watch=yes', 'watch=false&watch=true', '%77atch=true'),
  fc.constantFrom('labelSelector=app%3Dweb', 'labelSelector=app+in+(web)', 'labelSelector=!x', 'labelSelector=%%%', 'labelSelector='),
  fc.constantFrom(
    'fieldSelector=metadata.name%3Ddb-creds',
    'fieldSelector=type%3DOpaque',
    'fieldSelector=metadata.namespace!%3Dprod',
    'fieldSelector=spec.junk%3D1',
  ),
  fc.constantFrom(
    'resourceVersion=0',
    'resourceVersion=',
    'resourceVersion=1',
    'resourceVersion=99999999',
    'resourceVersion=abc',
    'resourceVersionMatch=NotOlderThan&resourceVersion=0',
  ),
  fc.constantFrom('timeoutSeconds=1', 'timeoutSeconds=0', 'timeoutSeconds=-1', 'timeoutSeconds=abc'),
  fc.constantFrom('limit=1', 'limit=1&continue=junk', 'allowWatchBookmarks=true', 'sendInitialEvents=true&resourceVersionMatch=NotOlderThan', 'pretty=true'),
  fc.constantFrom('follow=true', 'tailLines=5', 'container=web', 'previous=true', 'timestamps=true'),
  fc.constantFrom('command=env', 'command=sh&stdin=true&stdout=true&tty=true', 'ports=80', 'stdout=1'),
  fc.constantFrom('dryRun=All', 'fieldManager=kubectl', 'force=true', 'propagationPolicy=Background', 'gracePeriodSeconds=0'),
  fc.constantFrom('&&', '=', '%', 'a=%zz', 'as=Table', 'includeObject=Object', 'includeObject=None'),
];

const arbQuery: fc.Arbitrary<string> = fc
  .subarray(QUERY_PARAMS, { maxLength: 3 })
  .chain((arbs) => (arbs.length === 0 ? fc.constant([] as string[]) : fc.tuple(...arbs)))
  .map((ps) => (ps.length === 0 ? '' : `?${ps.join('&')}`));

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The Connection/Upgrade shape: none, odd values, h2c, WebSocket (with subprotocols), SPDY. */
const arbUpgrade: fc.Arbitrary<[string, string][]> = fc.oneof(
  CROSS,
  { weight: 12, arbitrary: fc.constant<[string, string][]>([]) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<[string, string][]>(
      [['Connection', 'keep-alive']],
      [['Connection', 'close']],
      [
        ['Connection', 'X-Drop-Me'],
        ['X-Drop-Me', '1'],
      ],
      [['Upgrade', 'foo']],
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('Upgrade', 'upgrade', 'keep-alive, Upgrade', 'Upgrade, HTTP2-Settings'),
        fc.constantFrom('foo', 'h2c', 'HTTP/2.0', 'websocket, foo', 'TLS/1.0'),
      )
      .map(([c, u]): [string, string][] =>
        u === 'h2c'
          ? [
              ['Connection', c.includes('HTTP2') ? c : `${c}, HTTP2-Settings`],
              ['Upgrade', u],
              ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
            ]
          : [
              ['Connection', c],
              ['Upgrade', u],
            ],
      ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('websocket', 'WebSocket'),
        fc.subarray(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io', 'v2.portforward.k8s.io', 'junk'], { maxLength: 2 }),
      )
      .map(([u, protos]): [string, string][] => [
        ['Connection', 'Upgrade'],
        ['Upgrade', u],
        ['Sec-WebSocket-Key', WS_KEY],
        ['Sec-WebSocket-Version', '13'],
        ...(protos.length === 0 ? [] : [['Sec-WebSocket-Protocol', protos.join(', ')] as [string, string]]),
      ]),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<[string, string][]>(
      [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'SPDY/3.1'],
        ['X-Stream-Protocol-Version', 'v4.channel.k8s.io'],
      ],
      [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'SPDY/3.1'],
        ['X-Stream-Protocol-Version', 'portforward.k8s.io'],
      ],
      [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'SPDY/3.1'],
      ],
    ),
  },
);

const ACCEPTS = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/json;as=Table;g=meta.k8s.io;v=v1',
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  'application/yaml;as=Table;g=meta.k8s.io;v=v1',
  '*/*',
  'text/plain',
  'text/html',
  'application/cbor',
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf;stream=watch',
  'application/*',
  'application/json;q=0, application/yaml',
  'application/vnd.kubernetes.protobuf, */*',
  'APPLICATION/JSON',
  ';;;',
  'application/json;as=Table;g=meta.k8s.io;v=v1;include=Object',
];
const ENCODINGS = ['gzip', 'br', 'deflate', 'identity', 'gzip;q=0', '*', 'gzip, deflate, br', 'junk', 'identity;q=0', 'x-gzip'];
const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'application/apply-patch+yaml',
  'application/apply-patch+cbor',
  'application/vnd.kubernetes.protobuf',
  'application/cbor',
  'text/plain',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
];

const arbIdentity: fc.Arbitrary<[string, string][]> = fc.subarray<[string, string]>(
  [
    ['Impersonate-User', 'admin'],
    ['impersonate-group', 'system:masters'],
    ['IMPERSONATE-UID', '1'],
    ['Impersonate-Extra-Scopes', 'all'],
    ['X-Remote-User', 'root'],
    ['x-remote-group', 'system:masters'],
    ['X-Remote-Extra-Scopes', 'x'],
    ['Proxy-Authorization', 'Basic YTpi'],
    ['X-Forwarded-For', '10.0.0.1'],
    ['X-Forwarded-Host', 'evil.example'],
    ['Audit-ID', 'fuzz-1'],
    ['Audit-ID', '../../etc'],
    ['Expect', '100-continue'],
    ['X-Hoopctl-Masked', '1'],
    ['Accept-Encoding', 'gzip'],
  ],
  { maxLength: 3 },
);

const NEW_VALUE = 'TmV3VmFsdWUtY2xlYXI='; // base64 of "NewValue-clear": a value no sentinel search matches

const arbBodyText: fc.Arbitrary<string> = fc.constantFrom(
  JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-creds', namespace: 'demo' }, data: { password: NEW_VALUE } }),
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fuzz-new', namespace: 'demo' }, data: { a: 'b' } }),
  JSON.stringify({ metadata: { labels: { fuzz: 'yes' } } }),
  JSON.stringify([{ op: 'add', path: '/metadata/labels/fuzz', value: 'yes' }]),
  JSON.stringify({ spec: { replicas: 5 } }),
  JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb: 'get', resource: 'secrets' } },
  }),
  JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fuzz-yaml\n  namespace: demo\ndata:\n  a: b\n',
  '{"broken": ',
  '\u0000\u0001\u0002protobuf-ish',
);

/** A read as kubectl or a dashboard makes it, of an object or list holding sentinels, in every Accept/encoding/upgrade shape. */
function arbPlainRead(w: World, upgrade: fc.Arbitrary<[string, string][]>): fc.Arbitrary<GenRequest> {
  const targets = [
    '/api/v1/namespaces/demo/secrets',
    '/api/v1/namespaces/demo/secrets/db-creds',
    '/api/v1/namespaces/demo/secrets/csa',
    '/api/v1/secrets',
    '/api/v1/namespaces/demo/configmaps',
    '/api/v1/namespaces/demo/configmaps/app-config',
    '/apis/apps/v1/namespaces/demo/deployments',
    '/apis/apps/v1/namespaces/demo/deployments/web',
    '/apis/apps/v1/namespaces/demo/replicasets',
    '/api/v1/namespaces/demo/pods',
    `/api/v1/namespaces/demo/pods/${w.pods[0]}`,
    `/api/v1/namespaces/demo/pods/${w.pods[0]}/log`,
    '/api/v1/watch/namespaces/demo/secrets',
  ];
  return fc
    .record({
      target: fc.constantFrom<'proxy' | 'gateway'>('proxy', 'gateway'),
      path: fc.constantFrom(...targets),
      query: fc.constantFrom(
        '',
        '',
        '?watch=true&resourceVersion=0',
        '?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
        '?limit=1',
        '?labelSelector=app%3Dweb',
        '?fieldSelector=metadata.name%3Ddb-creds',
        '?follow=true&tailLines=5',
        '?includeObject=Object',
        '?watch=True&timeoutSeconds=1',
      ),
      accept: fc.option(fc.constantFrom(...ACCEPTS), { freq: 4, nil: undefined }),
      acceptEncoding: fc.option(fc.constantFrom(...ENCODINGS), { freq: 3, nil: undefined }),
      upgrade,
    })
    .map((r) => {
      const headers: [string, string][] = [...r.upgrade];
      if (r.accept !== undefined) headers.push(['Accept', r.accept]);
      if (r.acceptEncoding !== undefined) headers.push(['Accept-Encoding', r.acceptEncoding]);
      // kube-apiserver serves a named GET as a get whatever `watch` says; the test server streams it (see the suite's notes), so watches go to collections here.
      const named = /\/(?:secrets|configmaps|deployments|pods)\/[^/]+$/.test(r.path) && !r.path.includes('/watch/');
      const query = named && /watch=/.test(r.query) ? '' : r.query;
      return { target: r.target, method: 'GET', path: r.path + query, headers, auth: 'bearer' as const };
    });
}

/** A request for the read-only property: anything at all (`upgrades: false` leaves `Connection: Upgrade` out, to look past that class). */
export function arbRequest(w: World, options: { upgrades?: boolean } = {}): fc.Arbitrary<GenRequest> {
  const upgrade = options.upgrades === false ? arbUpgrade.filter((h) => !h.some(([n, val]) => n === 'Connection' && /upgrade/i.test(val))) : arbUpgrade;
  return fc.oneof(CROSS, { weight: 2, arbitrary: arbPlainRead(w, upgrade) }, { weight: 3, arbitrary: arbAnyRequest(w, upgrade) });
}

function arbAnyRequest(w: World, upgrade: fc.Arbitrary<[string, string][]>): fc.Arbitrary<GenRequest> {
  return fc
    .record({
      target: fc.constantFrom<'proxy' | 'gateway'>('proxy', 'gateway'),
      method: fc.oneof(
        CROSS,
        { weight: 12, arbitrary: fc.constant('GET') },
        { weight: 6, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'PATCH', 'DELETE') },
        { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'get', 'PROPFIND', 'TRACE') },
      ),
      segs: arbSegments(w),
      trick: fc.oneof(
        CROSS,
        { weight: 7, arbitrary: fc.constant<Trick>('none') },
        {
          weight: 3,
          arbitrary: fc.constantFrom<Trick>(
            'trailing-slash',
            'double-slash',
            'dot',
            'dotdot',
            'escape-char',
            'escape-slash',
            'upper',
            'semicolon',
            'nul',
            'escape-dotdot',
          ),
        },
      ),
      trickAt: fc.nat(20),
      query: fc.oneof(CROSS, { weight: 2, arbitrary: fc.constant('') }, { weight: 3, arbitrary: arbQuery }),
      upgrade,
      accept: fc.oneof(
        CROSS,
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 2, arbitrary: fc.constantFrom(...ACCEPTS.slice(0, 5)) },
        { weight: 3, arbitrary: fc.constantFrom(...ACCEPTS) },
      ),
      acceptEncoding: fc.option(fc.constantFrom(...ENCODINGS), { freq: 2, nil: undefined }),
      contentType: fc.option(fc.constantFrom(...CONTENT_TYPES), { freq: 2, nil: undefined }),
      identity: fc.oneof(CROSS, { weight: 1, arbitrary: fc.constant<[string, string][]>([]) }, { weight: 1, arbitrary: arbIdentity }),
      auth: fc.oneof(
        CROSS,
        { weight: 20, arbitrary: fc.constant<AuthChoice>('bearer') },
        {
          weight: 3,
          arbitrary: fc.constantFrom<AuthChoice>(
            'bearer-lowercase',
            'bearer-extra-space',
            'none',
            'junk',
            'junk-then-bearer',
            'bearer-then-junk',
            'websocket-protocol',
          ),
        },
      ),
      connection: fc.oneof(
        CROSS,
        { weight: 14, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom('echo', 'down', 'PROD', 'prod%2F..', 'prod;x', 'nope') },
      ),
      body: fc.oneof(
        CROSS,
        { weight: 3, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({
            text: arbBodyText,
            framing: fc.constantFrom<'length' | 'chunked'>('length', 'length', 'chunked'),
            gzip: fc.oneof(CROSS, { weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
          }),
        },
      ),
    })
    .map((r) => {
      const headers: [string, string][] = [...r.upgrade];
      if (r.accept !== undefined) headers.push(['Accept', r.accept]);
      if (r.acceptEncoding !== undefined) headers.push(['Accept-Encoding', r.acceptEncoding]);
      if (r.contentType !== undefined) headers.push(['Content-Type', r.contentType]);
      headers.push(...r.identity);
      const body = r.body;
      return {
        target: r.target,
        method: r.method,
        path: applyTrick(r.segs, r.trick, r.trickAt) + r.query,
        headers,
        auth: r.auth,
        ...(body === undefined ? {} : { body }),
        ...(r.connection === undefined || r.target === 'proxy' ? {} : { connection: r.connection }),
      };
    });
}

/** The credential as the caller holds it: the kubeconfig bearer (proxy) or the session token (gateway). */
export interface Credentials {
  token: string;
  host: string;
  /** Path prefix of the target (`/k8s/prod` on the gateway, '' on the local proxy). */
  prefix: string;
}

function authHeaders(auth: AuthChoice, token: string): [string, string][] {
  switch (auth) {
    case 'bearer':
      return [['Authorization', `Bearer ${token}`]];
    case 'bearer-lowercase':
      return [['authorization', `bearer ${token}`]];
    case 'bearer-extra-space':
      return [['Authorization', `Bearer  ${token} `]];
    case 'none':
      return [];
    case 'junk':
      return [['Authorization', 'Bearer junk']];
    case 'junk-then-bearer':
      return [
        ['Authorization', 'Bearer junk'],
        ['Authorization', `Bearer ${token}`],
      ];
    case 'bearer-then-junk':
      return [
        ['Authorization', `Bearer ${token}`],
        ['Authorization', 'Basic YWRtaW46YWRtaW4='],
      ];
    case 'websocket-protocol':
      return [['Sec-WebSocket-Protocol', `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`]];
  }
}

/** The request as bytes on the wire. */
export function renderRequest(r: GenRequest, c: Credentials): Buffer {
  const prefix = r.connection !== undefined && c.prefix !== '' ? `/k8s/${r.connection}` : c.prefix;
  const lines = [`${r.method} ${prefix}${r.path} HTTP/1.1`, `Host: ${c.host}`];
  const headers = [...authHeaders(r.auth, c.token), ...r.headers];
  // A WebSocket bearer joins the other subprotocols in one header, as kubectl sends it.
  const protos = headers.filter(([n]) => n === 'Sec-WebSocket-Protocol');
  const merged =
    protos.length > 1
      ? [...headers.filter(([n]) => n !== 'Sec-WebSocket-Protocol'), ['Sec-WebSocket-Protocol', protos.map(([, v]) => v).join(', ')] as [string, string]]
      : headers;
  for (const [n, v] of merged) lines.push(`${n}: ${v}`);
  let payload = Buffer.alloc(0);
  if (r.body !== undefined) {
    const raw = Buffer.from(r.body.text, 'utf8');
    const data = r.body.gzip ? gzipSync(raw) : raw;
    if (r.body.gzip) lines.push('Content-Encoding: gzip');
    if (r.body.framing === 'chunked') {
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n0\r\n\r\n')]);
    } else {
      lines.push(`Content-Length: ${data.length}`);
      payload = data;
    }
  }
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

/** A ready-to-paste reproduction: the raw request (credential as $TOKEN) and a shell line that sends it. */
export function describeRequest(r: GenRequest, c: Credentials & { port: number; tls: boolean }): string {
  const raw = renderRequest(r, { ...c, token: '${TOKEN}' }).toString('latin1');
  const printable = raw.replace(/[^\x20-\x7e\r\n]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  const who = r.target === 'proxy' ? 'the local proxy (TLS); TOKEN = the kubeconfig bearer' : 'the gateway (plain HTTP); TOKEN = the session credential';
  const sh = printable
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "'\\''")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\$\{TOKEN\}/g, '\'"$TOKEN"\'');
  const sink = c.tls ? `openssl s_client -quiet -connect 127.0.0.1:${c.port}` : `nc 127.0.0.1 ${c.port}`;
  return `--- raw request to ${who}${r.body?.gzip === true ? ' (gzip body shown as \\x escapes)' : ''} ---\n${printable}\n--- send it ---\nprintf '%b' '${sh}' | ${sink}\n`;
}
