// Serves /api, /apis, /apis/<group>, /api/v1 and /apis/<group>/<version>. The Accept header
// chooses aggregated discovery (v2 for kubectl >= 1.30, v2beta1 for 1.27) or the legacy
// documents, exactly as fixtures 01-09 record; aggregated answers carry an ETag and honour
// If-None-Match with a 304.
import { createHash } from 'node:crypto';
import type { RequestContext } from './handler-context.js';
import { apiHeaders, parseAccept, writeObject, writePageNotFound } from './http-io.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, type AggregatedVersion } from './discovery.js';
import type { ApiPath } from './request-path.js';
import { notAcceptableMediaType } from './status.js';

type DiscoveryPath = Exclude<ApiPath, { kind: 'resource' }>;

/** Which aggregated version the Accept header asks for first, if any; 'legacy' when plain JSON comes first. */
function wantedFormat(accept: string | undefined): AggregatedVersion | 'legacy' | 'none' {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'legacy';
  for (const r of ranges) {
    if (r.params['as'] === 'APIGroupDiscoveryList' && r.params['g'] === 'apidiscovery.k8s.io') {
      if (r.params['v'] === 'v2' || r.params['v'] === 'v2beta1') return r.params['v'];
      continue;
    }
    if (r.params['as'] !== undefined) continue;
    if (['application/json', '*/*', 'application/*', 'application/vnd.kubernetes.protobuf', 'application/yaml'].includes(r.type)) return 'legacy';
  }
  return 'none';
}

const etags = new Map<string, { body: Record<string, unknown>; etag: string }>();

function aggregated(root: 'api' | 'apis', version: AggregatedVersion): { body: Record<string, unknown>; etag: string } {
  const key = `${root}/${version}`;
  let cached = etags.get(key);
  if (!cached) {
    const body = aggregatedDiscovery(root, version);
    const etag = `"${createHash('sha512').update(JSON.stringify(body)).digest('hex').toUpperCase()}"`;
    cached = { body, etag };
    etags.set(key, cached);
  }
  return cached;
}

/** Answers a discovery path. */
export function handleDiscovery(ctx: RequestContext, path: DiscoveryPath, serverAddress: string): void {
  const { req, res, url } = ctx;
  const format = wantedFormat(req.headers.accept);
  if (path.kind === 'root') {
    // `/apis/` is not the aggregated discovery handler's path: kube answers it with the legacy
    // APIGroupList as plain JSON (no Etag, no Vary) whatever the Accept (fixture 100, observation 28).
    if (path.prefix === 'apis' && url.pathname.endsWith('/')) {
      writeObject(req, res, url, 200, apiGroupList());
      return;
    }
    if (format === 'v2' || format === 'v2beta1') {
      const { body, etag } = aggregated(path.prefix, format);
      const headers = { 'Cache-Control': 'public', Etag: etag, Vary: 'Accept' };
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, apiHeaders(headers));
        res.end();
        return;
      }
      writeObject(req, res, url, 200, body, { contentType: `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`, headers });
      return;
    }
    if (format === 'none') throw notAcceptableMediaType();
    writeObject(req, res, url, 200, path.prefix === 'api' ? apiVersions(serverAddress) : apiGroupList());
    return;
  }
  if (format !== 'legacy') throw notAcceptableMediaType();
  const doc = path.kind === 'group' ? apiGroup(path.group) : apiResourceList(path.group, path.version);
  if (!doc) return writePageNotFound(res);
  writeObject(req, res, url, 200, doc);
}
