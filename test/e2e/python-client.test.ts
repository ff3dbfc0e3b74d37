// The third client: Debian's python3-kubernetes (22.6) through the real chain (built CLI and gateway,
// embedded IdP, the Kubernetes API test server). It reads discovery with a trailing slash (`/version/`,
// `/api/`, `/apis/`, `/api/v1/`, fixture 101) and watches with `watch=True` (fixture 131); kube-apiserver
// serves both, so hoopctl must too — and still mask the Secret it reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { isMaskMarker } from '../../src/mask/marker.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { join } from 'node:path';
import { startChain, hoopExec, type Chain } from './chain-harness.js';
import type { TempHome } from '../support/cli-runner.js';

/** The interpreter that has the Debian package (pyenv shims on PATH may not). */
function pythonWithKubernetes(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(candidate, ['-c', 'import kubernetes'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

const PYTHON = pythonWithKubernetes();
const skip = PYTHON === undefined ? 'python3-kubernetes is not installed (apt-get install python3-kubernetes; .ci/run installs it)' : false;

// Every call the brief names, then a watch that python3-kubernetes sends as `watch=True`.
const SCRIPT = `
import base64, json
from kubernetes import client, config, watch
config.load_kube_config()
out = {}
out["version"] = client.VersionApi().get_code().git_version
out["core"] = client.CoreApi().get_api_versions().versions
out["groups"] = sorted(g.name for g in client.ApisApi().get_api_versions().groups)
out["resources"] = sorted(r.name for r in client.CoreV1Api().get_api_resources().resources)
v1 = client.CoreV1Api()
out["pods"] = sorted(p.metadata.name for p in v1.list_namespaced_pod("demo").items)
s = v1.read_namespaced_secret("db-creds", "demo")
out["secret"] = {k: base64.b64decode(v).decode() for k, v in s.data.items()}
out["watched"] = [(e["type"], e["object"].metadata.name) for e in watch.Watch().stream(v1.list_namespaced_config_map, "demo", timeout_seconds=2)]
print(json.dumps(out))
`;

describe('python3-kubernetes through local proxy → gateway → upstream', { skip }, () => {
  let chain: Chain;
  let sam: TempHome;
  before(async () => {
    chain = await startChain();
    sam = await chain.loginAs('sam');
  });
  after(async () => {
    await chain?.close();
  });

  test('VersionApi, CoreApi, ApisApi, get_api_resources, a pod list, a masked Secret read and a watch', async () => {
    const r = await hoopExec(sam, 'demo', [PYTHON!, '-c', SCRIPT]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      version: string;
      core: string[];
      groups: string[];
      resources: string[];
      pods: string[];
      secret: Record<string, string>;
      watched: [string, string][];
    };
    assert.equal(out.version, 'v1.32.6');
    assert.deepEqual(out.core, ['v1']);
    assert.ok(out.groups.includes('apps'), out.groups.join(','));
    assert.ok(out.resources.includes('secrets') && out.resources.includes('pods/exec'), out.resources.join(','));
    assert.ok(
      out.pods.some((p) => p.startsWith('web-')),
      out.pods.join(','),
    );
    // Masked, and still valid base64 the client decodes; the real value never arrives.
    assert.deepEqual(Object.keys(out.secret).sort(), ['password', 'username']);
    for (const v of Object.values(out.secret)) assert.ok(isMaskMarker(v), v);
    assert.doesNotMatch(r.stdout + r.stderr, /demo-password-not-a-real-secret/);
    assert.ok(
      out.watched.some(([type, name]) => type === 'ADDED' && name === 'app-config'),
      JSON.stringify(out.watched),
    );

    // The gateway read the slash paths and `watch=True` as kube-apiserver does.
    const store = await openSqliteStore(join(chain.dir, 'gateway.db'));
    try {
      const events: AuditEvent[] = await store.listAudit({ user: 'sam@example.com' });
      const mine = events.filter((e) => (e.userAgent ?? '').startsWith('OpenAPI-Generator/'));
      const seen = mine.map((e) => `${e.verb} ${e.requestURI.split('?')[0]} ${e.responseStatus}`);
      for (const line of [
        'get /version/ 200',
        'get /api/ 200',
        'get /apis/ 200',
        'get /api/v1/ 200',
        'list /api/v1/namespaces/demo/pods 200',
        'get /api/v1/namespaces/demo/secrets/db-creds 200',
      ]) {
        assert.ok(seen.includes(line), `${line} in ${seen.join('\n')}`);
      }
      const w = mine.find((e) => e.verb === 'watch');
      assert.ok(w !== undefined && /[?&]watch=True(&|$)/.test(w.requestURI), seen.join('\n'));
    } finally {
      await store.close();
    }
  });
});
