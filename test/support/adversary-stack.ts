// The running stack the adversary suite attacks: the Kubernetes API test server seeded with sentinel
// values, a real in-process gateway (SQLite store, its log lines kept), and one real local proxy per
// caller (transcript kept) — a read-only caller (alice) and an editor (bob).
import { readFile, readdir } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { startHarness, type Harness } from '../integration/gateway-harness.js';
import { createLocalProxy, type LocalProxy } from '../../src/local-proxy/create-local-proxy.js';
import { createSessionCertificate } from '../../src/local-proxy/session-certificate.js';
import type { KubeObject } from '../../src/simulated-cluster/index.js';

/** Every sentinel starts with this: one search root finds them all, in every encoding. */
export const SENTINEL_ROOT = 'Qz9SNTL';

const sentinel = (where: string): string => `${SENTINEL_ROOT}-${where}-x7`;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Roles: `reader` may get/list/watch everything and nothing else; `editor` may write but not open streams into pods. */
export const ADVERSARY_POLICY = {
  roles: [
    {
      name: 'reader',
      rules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] },
        { verbs: ['get'], nonResourceURLs: ['*'] },
      ],
    },
    {
      name: 'editor',
      rules: [
        {
          verbs: ['*'],
          apiGroups: ['*'],
          resources: [
            'secrets',
            'configmaps',
            'deployments',
            'deployments/scale',
            'deployments/status',
            'pods',
            'pods/log',
            'services',
            'replicasets',
            'events',
          ],
          namespaces: ['*'],
        },
        { verbs: ['get'], nonResourceURLs: ['*'] },
      ],
    },
  ],
  bindings: [
    { groups: ['dev'], connections: ['prod'], roles: ['reader'] },
    { groups: ['ops'], connections: ['prod'], roles: ['editor'] },
  ],
};

/** One stored value that must stay secret: where it lives and what it is. */
export interface TrackedValue {
  ref: { kind: string; namespace: string; name: string };
  /** Reads the value out of the stored object (undefined when gone). */
  read(o: KubeObject): string | undefined;
  value: string;
}

const lastApplied = (manifest: unknown): string => JSON.stringify(manifest);

/** The objects holding sentinels, as another client would have written them. */
export function sentinelObjects(): Record<string, unknown>[] {
  const csa = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'csa', namespace: 'demo' }, type: 'Opaque', data: { password: b64(sentinel('CSA-DATA')) } };
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-creds', namespace: 'demo', labels: { app: 'web' } },
      type: 'Opaque',
      data: { password: b64(sentinel('SECRET-DATA')), 'tls.key': b64(`-----BEGIN PRIVATE KEY-----\n${sentinel('PEM')}\n-----END PRIVATE KEY-----\n`) },
      stringData: { username: sentinel('SECRET-STRINGDATA') },
    },
    {
      ...csa,
      metadata: {
        ...csa.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied({ ...csa, stringData: { token: sentinel('LAST-APPLIED') } }) },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'root-creds', namespace: 'prod' },
      type: 'kubernetes.io/basic-auth',
      data: { password: b64(sentinel('PROD-SECRET')) },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'demo' },
      data: { db_password: sentinel('CM-KEY'), 'app.conf': `db.host=db\ndb.password=${sentinel('CM-CONF')}\n`, greeting: 'hello' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'demo', labels: { app: 'web' }, annotations: { token: sentinel('ANNOTATION') } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                args: [`--db-password=${sentinel('ARG')}`],
                env: [
                  { name: 'DB_PASSWORD', value: sentinel('ENV') },
                  { name: 'UPSTREAM_URL', value: `https://app:${sentinel('URL')}@api.example` },
                  { name: 'LOG_LEVEL', value: 'info' },
                ],
              },
            ],
          },
        },
      },
    },
  ];
}

const secretData =
  (key: string) =>
  (o: KubeObject): string | undefined => {
    const v = (o['data'] as Record<string, string> | undefined)?.[key];
    return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
  };

/** The stored values the editor property watches (the real values behind every masked read). */
export function trackedValues(): TrackedValue[] {
  return [
    { ref: { kind: 'secrets', namespace: 'demo', name: 'db-creds' }, read: secretData('password'), value: sentinel('SECRET-DATA') },
    { ref: { kind: 'secrets', namespace: 'demo', name: 'db-creds' }, read: secretData('username'), value: sentinel('SECRET-STRINGDATA') },
    { ref: { kind: 'secrets', namespace: 'demo', name: 'csa' }, read: secretData('password'), value: sentinel('CSA-DATA') },
    {
      ref: { kind: 'configmaps', namespace: 'demo', name: 'app-config' },
      read: (o) => (o['data'] as Record<string, string> | undefined)?.['db_password'],
      value: sentinel('CM-KEY'),
    },
    {
      ref: { kind: 'deployments', namespace: 'demo', name: 'web' },
      read: (o) =>
        (
          o as { spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } }
        ).spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'DB_PASSWORD')?.value,
      value: sentinel('ENV'),
    },
  ];
}

/** A caller's two ways in: its local proxy (TLS, kubeconfig bearer) and the gateway (session credential). */
export interface Caller {
  sessionToken: string;
  localToken: string;
  proxy: LocalProxy;
  certPem: string;
  transcriptFile: string;
}

/** The stack, its captures, and the upstream's state. */
export interface AdversaryStack {
  harness: Harness;
  gatewayPort: number;
  reader: Caller;
  editor: Caller;
  pods: string[];
  logLines: string[];
  /** Changes the cluster as another client would while a watch or `logs -f` is open: a Secret update and a log line, both with new sentinels. */
  touchLive(): void;
  /** Puts every sentinel object back as it was seeded (editor runs change them). */
  reseed(): Promise<void>;
  /** A fingerprint of everything upstream: the global resourceVersion and the object count. */
  upstreamState(): Promise<{ resourceVersion: string; objects: number }>;
  /** Every file the gateway and the proxies wrote (SQLite files, transcripts), as latin1 text. */
  writtenFiles(): Promise<{ file: string; text: string }[]>;
  close(): Promise<void>;
}

// One TLS connection for the many fingerprints a run takes.
const adminAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** A GET straight to the test server with its admin token (the list's resourceVersion is the store's newest). */
function adminGet(h: Harness, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const u = new URL(h.kube.url);
    const req = httpsRequest(
      { host: u.hostname, port: Number(u.port), path, ca: h.kube.caPem, headers: { authorization: `Bearer ${h.kube.token}` }, agent: adminAgent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function startCaller(h: Harness, idToken: string, name: string, gatewayUrl: string): Promise<Caller> {
  const res = await fetch(`${gatewayUrl}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'prod' }),
  });
  const session = (await res.json()) as { token?: string };
  if (res.status !== 201 || session.token === undefined) throw new Error(`POST /v1/sessions for ${name}: ${res.status} ${JSON.stringify(session)}`);
  const cert = await createSessionCertificate({ now: new Date(), validForSeconds: 3600 });
  const localToken = `local-${name}-${Math.random().toString(36).slice(2)}`;
  const transcriptFile = join(h.dir, `${name}.transcript.jsonl`);
  const proxy = await createLocalProxy({
    upstreamUrl: `${gatewayUrl}/k8s/prod`,
    upstreamToken: session.token,
    localToken,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    transcriptFile,
  });
  return { sessionToken: session.token, localToken, proxy, certPem: cert.certPem, transcriptFile };
}

/** Starts everything and seeds the sentinels. */
export async function startAdversaryStack(): Promise<AdversaryStack> {
  const logLines: string[] = [];
  const harness = await startHarness({ config: { policy: ADVERSARY_POLICY }, logger: (line) => logLines.push(line) });
  try {
    const { kube } = harness;
    for (const ns of ['demo', 'prod']) kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // Pods run (and have logs) only on a cluster with a Node.
    kube.apply({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '172.18.0.3' }] },
    });
    let live = 0;
    const pods: string[] = [];
    const touchLive = (): void => {
      live++;
      kube.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'live', namespace: 'demo' },
        type: 'Opaque',
        data: { password: b64(sentinel(`LIVE-${live}`)) },
      });
      kube.appendLog('demo', pods[0]!, `token: Bearer ${sentinel(`LIVE-LOG-${live}`)}-abcdef123456`);
    };
    const reseed = async (): Promise<void> => {
      for (const o of sentinelObjects()) kube.apply(o);
      await kube.settled();
    };
    await reseed();
    const podList = (await adminGet(harness, '/api/v1/namespaces/demo/pods')) as { items: KubeObject[] };
    pods.push(...podList.items.map((p) => p.metadata.name));
    if (pods.length === 0) throw new Error('the seeded Deployment made no pods');
    touchLive();
    for (const pod of pods) kube.appendLog('demo', pod, `connecting with password=${sentinel('LOG')} to db`);
    const reader = await startCaller(harness, harness.idTokens.alice, 'reader', harness.gateway.url);
    const editor = await startCaller(harness, harness.idTokens.bob, 'editor', harness.gateway.url);
    const upstreamState = async (): Promise<{ resourceVersion: string; objects: number }> => {
      await kube.settled();
      const list = (await adminGet(harness, '/api/v1/namespaces')) as { metadata: { resourceVersion: string } };
      return { resourceVersion: list.metadata.resourceVersion, objects: kube.counts().objects };
    };
    const writtenFiles = async (): Promise<{ file: string; text: string }[]> => {
      const out: { file: string; text: string }[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else if (!p.endsWith('.yaml') && !p.endsWith('.kubeconfig') && !p.endsWith('.token'))
            out.push({ file: p, text: (await readFile(p)).toString('latin1') });
        }
      };
      await walk(harness.dir);
      return out;
    };
    return {
      harness,
      gatewayPort: Number(new URL(harness.gateway.url).port),
      reader,
      editor,
      pods,
      logLines,
      touchLive,
      reseed,
      upstreamState,
      writtenFiles,
      close: async () => {
        await reader.proxy.close().catch(() => undefined);
        await editor.proxy.close().catch(() => undefined);
        adminAgent.destroy();
        // Upstream first: a connection the gateway still holds to it must not keep the gateway's close() waiting.
        await harness.kube.close().catch(() => undefined);
        await harness.close();
      },
    };
  } catch (e) {
    await harness.close();
    throw e;
  }
}
