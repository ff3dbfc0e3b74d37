/**
 * `kubectl apply --server-side` on an object a client-side apply made moves the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation to its own field manager: it sends the
 * annotation it just read (fixture 121, observation 35, PATCH b), which the gateway had masked. Refusing
 * it makes kubectl warn on every run and never migrate. The value it sends stands for the one upstream
 * holds; when the masked live annotation is exactly what the request carries (the digest markers make
 * that comparison exact), the gateway sends the live value instead. Nothing masked is ever written,
 * and nothing the caller could not already write changes: the annotation keeps its value, only its
 * owner moves.
 */
import type { Dispatcher } from 'undici';
import { containsMaskedValue, isMaskMarker } from '../../mask/marker.js';
import { createMaskContext, kindForResource, LAST_APPLIED, maskDocument } from '../../mask/mask-object.js';
import type { ClassifiedExchange } from './exchange.js';
import { upstreamRequestHeaders, type UpstreamIdentity } from './upstream-headers.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Patch types whose body is (part of) the object, so the annotation sits at metadata.annotations. */
const OBJECT_PATCHES = new Set(['application/apply-patch+yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
/** The live object is read for this check only; larger answers are not worth it. */
const MAX_LIVE_BYTES = 4 << 20;

/**
 * The body to send instead of `parsed`, with the live annotation in place of its masked form; undefined
 * when the request is not that case (then it stays refused).
 */
export async function restoreLastApplied(x: ClassifiedExchange, parsed: unknown): Promise<Buffer | undefined> {
  const { info } = x;
  const media = (x.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (info.verb !== 'patch' || info.subresource !== '' || info.name === '' || !OBJECT_PATCHES.has(media)) return undefined;
  if (!isObj(parsed) || !isObj(parsed.metadata) || !isObj(parsed.metadata.annotations)) return undefined;
  const sent = parsed.metadata.annotations[LAST_APPLIED];
  if (typeof sent !== 'string' || isMaskMarker(sent)) return undefined;
  const rest = structuredClone(parsed) as Obj;
  delete ((rest.metadata as Obj).annotations as Obj)[LAST_APPLIED];
  if (containsMaskedValue(rest)) return undefined;

  const live = await readLive(x);
  const liveValue = isObj(live) && isObj(live.metadata) && isObj(live.metadata.annotations) ? live.metadata.annotations[LAST_APPLIED] : undefined;
  if (typeof liveValue !== 'string') return undefined;
  const kind = kindForResource(info.resource);
  const masked = maskDocument(structuredClone(live), createMaskContext(x.gw.config.policy.masking.rules, kind === undefined ? {} : { kindHint: kind })) as Obj;
  if (((masked.metadata as Obj).annotations as Obj)[LAST_APPLIED] !== sent) return undefined;
  (parsed.metadata.annotations as Obj)[LAST_APPLIED] = liveValue;
  return Buffer.from(JSON.stringify(parsed), 'utf8');
}

/** GETs the object the request patches, as the caller (impersonated), JSON; undefined on any failure. */
async function readLive(x: ClassifiedExchange): Promise<unknown> {
  const up = x.gw.upstreams.get(x.connectionName);
  if (up === undefined) return undefined;
  let answer: Dispatcher.ResponseData;
  try {
    // The caller's identity, as forward.ts sends it (not imported from there: forward imports this module's caller).
    const id: UpstreamIdentity = { authorization: await up.authorization(), auditID: x.auditID };
    if (up.connection.impersonate) {
      const { claims } = x.session;
      const { userPrefix, groupPrefix } = x.gw.config.impersonation;
      id.impersonate = { user: `${userPrefix}${claims.sub}`, groups: claims.groups.map((g) => `${groupPrefix}${g}`) };
    }
    const headers = upstreamRequestHeaders({}, {}, id);
    answer = await up.pool.request({
      path: `${up.basePath}${x.kubePath.split('?')[0]!}`,
      method: 'GET',
      headers: { ...headers, accept: 'application/json' },
    });
  } catch {
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of answer.body as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_LIVE_BYTES) {
        answer.body.destroy();
        return undefined;
      }
      chunks.push(c);
    }
    if (answer.statusCode !== 200 || (answer.headers['content-encoding'] ?? 'identity') !== 'identity') return undefined;
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
