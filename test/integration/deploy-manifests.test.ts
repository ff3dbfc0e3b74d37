// templates/deploy and the Dockerfile, checked offline. `kubectl kustomize` (every kubectl on the machine)
// builds the kustomization for real; kubectl cannot validate objects without a server (create/apply
// --dry-run=client still asks the server for its resource list), so the built objects are checked here
// against the fields and invariants that matter: security context, probes, selectors, RBAC limited to
// impersonation, a PDB, and a gateway.yaml that `gateway serve` accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { repoRoot } from '../support/cli-runner.js';
import { kubectlBinaries } from '../support/kubectl-binaries.js';

const run = promisify(execFile);
const DEPLOY = join(repoRoot, 'templates', 'deploy');
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any };

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  ServiceAccount: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  Job: 'batch/v1',
};

async function build(kubectl: string): Promise<Obj[]> {
  const { stdout } = await run(kubectl, ['kustomize', DEPLOY], { env: { PATH: process.env.PATH, KUBECONFIG: '/nonexistent' } });
  return parseAllDocuments(stdout).map((d) => d.toJS() as Obj);
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

test('kubectl kustomize builds templates/deploy with every kubectl version, to the same objects', async () => {
  const bins = kubectlBinaries(['1.27', '1.28', '1.29', '1.30', '1.31', '1.33']);
  assert.ok(bins.length >= 2, 'kubectl binaries found');
  const outputs = await Promise.all(bins.map(async (b) => ({ label: b.label, objs: await build(b.path) })));
  for (const o of outputs) assert.deepEqual(o.objs, outputs[0]!.objs, `kubectl ${o.label} built something else`);
  assert.deepEqual(outputs[0]!.objs.map((o) => o.kind).sort(), [
    'ClusterRole',
    'ClusterRoleBinding',
    'ConfigMap',
    'Deployment',
    'Namespace',
    'PodDisruptionBudget',
    'Secret',
    'Service',
    'ServiceAccount',
  ]);
});

test('the built objects: well-formed, secure, probed, selected, RBAC only impersonation, config valid', async () => {
  const objs = await build('/usr/bin/kubectl');
  const one = (kind: string): Obj => objs.find((o) => o.kind === kind)!;
  for (const o of objs) {
    assert.equal(o.apiVersion, API_VERSIONS[o.kind], `${o.kind} apiVersion`);
    assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${o.kind} name`);
    if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
    else assert.equal(o.metadata.namespace, 'hoopctl', `${o.kind} ${o.metadata.name} namespace`);
  }

  const d = one('Deployment');
  assert.ok(d.spec.replicas >= 2);
  const pod = d.spec.template.spec;
  assert.ok(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), 'deployment selector matches its pods');
  assert.equal(pod.serviceAccountName, one('ServiceAccount').metadata.name);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.ok(pod.securityContext.runAsUser > 0);
  const [c] = pod.containers;
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  const port = (name: string): number => c.ports.find((p: { name: string }) => p.name === name).containerPort;
  assert.deepEqual([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path], ['/readyz', '/healthz']);
  assert.equal(c.readinessProbe.httpGet.port, 'http');
  assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
  const volumes = new Map(pod.volumes.map((v: { name: string }) => [v.name, v]));
  for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), `mount ${m.name} has a volume`);
  const cm = one('ConfigMap');
  const secret = one('Secret');
  assert.equal((volumes.get('config') as any).configMap.name, cm.metadata.name);
  assert.equal((volumes.get('secrets') as any).secret.secretName, secret.metadata.name);
  for (const e of c.env.filter((x: any) => x.valueFrom?.secretKeyRef)) {
    assert.equal(e.valueFrom.secretKeyRef.name, secret.metadata.name);
    assert.ok(e.valueFrom.secretKeyRef.key in secret.stringData, `secret key ${e.valueFrom.secretKeyRef.key}`);
  }

  const svc = one('Service');
  assert.ok(matches(svc.spec.selector, d.spec.template.metadata.labels), 'service selects the pods');
  assert.equal(svc.spec.ports[0].targetPort, 'http');
  const pdb = one('PodDisruptionBudget');
  assert.ok(matches(pdb.spec.selector.matchLabels, d.spec.template.metadata.labels), 'PDB selects the pods');
  assert.ok(pdb.spec.minAvailable >= 1 && pdb.spec.minAvailable < d.spec.replicas);

  const role = one('ClusterRole');
  assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['users', 'groups', 'serviceaccounts'], verbs: ['impersonate'] }]);
  const binding = one('ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'hoopctl-gateway', namespace: 'hoopctl' }]);

  // The config as the container reads it: secrets from the env, in-cluster files from the pod.
  const configPath = c.args[c.args.indexOf('--config') + 1] as string;
  const mount = c.volumeMounts.find((m: { name: string }) => m.name === 'config').mountPath as string;
  assert.equal(configPath, `${mount}/gateway.yaml`);
  const files: Record<string, string> = {
    [configPath]: cm.data['gateway.yaml'],
    '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    '/var/run/secrets/kubernetes.io/serviceaccount/token': 'sa-token',
  };
  const env = { HOOPCTL_POSTGRES_URL: secret.stringData['postgres-url'], KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
  const config = await loadGatewayConfig(configPath, {
    env,
    readFile: async (p) => files[p] ?? Promise.reject(Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' })),
  });
  assert.equal(config.listen.port, port('http'));
  assert.equal(config.operations?.metrics.listen?.port, port('metrics'));
  assert.ok(config.store.postgres, 'replicas share PostgreSQL');
  const ops = config.operations!.shutdown;
  assert.ok(ops.unreadyDelaySeconds + ops.gracePeriodSeconds < pod.terminationGracePeriodSeconds, 'the drain ends before SIGKILL');
});

test('the migrate job runs `gateway migrate` with the same config and secret; the Dockerfile builds in stages and runs as non-root', () => {
  const job = parseAllDocuments(readFileSync(join(DEPLOY, 'migrate-job.yaml'), 'utf8'))[0]!.toJS() as Obj;
  const c = job.spec.template.spec.containers[0];
  assert.deepEqual(c.args.slice(0, 2), ['gateway', 'migrate']);
  assert.equal(job.spec.template.spec.volumes[0].configMap.name, 'hoopctl-gateway-config');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  const docker = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
  const froms = [...docker.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  assert.equal(froms.length, 2, 'a build stage and a runtime stage');
  assert.match(froms[1]!, /distroless\/nodejs20-debian12:nonroot$/);
  assert.match(froms[0]!, /^node:20-bookworm/, "the build stage uses the runtime's Debian release (glibc of better-sqlite3)");
  const user = /^USER (\d+)(?::\d+)?$/m.exec(docker);
  assert.ok(user !== null && Number(user[1]) > 0, 'a numeric non-root USER');
  assert.doesNotMatch(docker, /^ADD /m);
});
