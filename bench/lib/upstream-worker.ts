/**
 * The upstream as its own process: the Kubernetes API test server, driven over IPC. Keeping it
 * out of the bench process means the load generator never shares an event loop with the server
 * it measures, and `emit` can stamp watch events at the moment they are produced.
 */
import { createKubeApiServer, streamSubresources, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { EMIT_ANNOTATION, type UpstreamOp } from './upstream-protocol.js';

let server: KubeApiServer | undefined;

function need(): KubeApiServer {
  if (server === undefined) throw new Error('upstream not started');
  return server;
}

function ensureNamespace(name: string): void {
  const s = need();
  if (s.get({ kind: 'namespaces', name }) === undefined) s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

function pod(namespace: string, i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-${String(i).padStart(3, '0')}`, namespace, labels: { app: 'web', 'pod-template-hash': '6d4cf56db6' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'MODE', value: 'bench' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
      nodeName: 'sim-worker-1',
    },
  };
}

function secret(namespace: string, i: number, valueBytes: number): Record<string, unknown> {
  const filler = Buffer.alloc(valueBytes, `secret-${i}-`).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: `app-secret-${String(i).padStart(5, '0')}`, namespace, labels: { app: 'bench' } },
    data: {
      username: Buffer.from(`user-${i}`).toString('base64'),
      password: Buffer.from(`pw-${i}-${'x'.repeat(24)}`).toString('base64'),
      'tls.key': filler,
    },
  };
}

function applyStamped(namespace: string, name: string, n: number): void {
  need().apply({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, annotations: { [EMIT_ANNOTATION]: String(process.hrtime.bigint()) } },
    data: { n: String(n) },
  });
}

async function emit(namespace: string, count: number, intervalMs: number, names: number): Promise<{ emitted: number; ms: number }> {
  const started = performance.now();
  if (intervalMs === 0) {
    // Yield every batch so the server's sockets are written while the burst goes on.
    for (let i = 0; i < count; i++) {
      applyStamped(namespace, `cm-${i % names}`, i);
      if (i % 200 === 199) await new Promise((r) => setImmediate(r));
    }
  } else {
    for (let i = 0; i < count; i++) {
      applyStamped(namespace, `cm-${i % names}`, i);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
  return { emitted: count, ms: performance.now() - started };
}

async function handle(m: UpstreamOp): Promise<unknown> {
  switch (m.op) {
    case 'start': {
      server = await createKubeApiServer({ tls: true, seed: 'empty', maxRecordedRequests: 10 });
      return { url: server.url, token: server.token, ...(server.caPem === undefined ? {} : { caPem: server.caPem }) };
    }
    case 'namespace':
      ensureNamespace(m.name);
      return null;
    case 'seedPods':
      ensureNamespace(m.namespace);
      for (let i = 0; i < m.count; i++) need().apply(pod(m.namespace, i));
      await need().settled();
      return null;
    case 'seedSecrets':
      ensureNamespace(m.namespace);
      for (let i = 0; i < m.count; i++) need().apply(secret(m.namespace, i, m.valueBytes));
      return null;
    case 'emit':
      ensureNamespace(m.namespace);
      return emit(m.namespace, m.count, m.intervalMs, m.names);
    case 'hasExec':
      return streamSubresources.has('pods/exec');
    case 'counts':
      return need().counts();
  }
}

process.on('message', (raw) => {
  const { id, msg } = raw as { id: number; msg: UpstreamOp };
  handle(msg).then(
    (result) => process.send?.({ id, result }),
    (e: unknown) => process.send?.({ id, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on('disconnect', () => {
  void (server?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
