/**
 * Request bodies of writes, when masking is on: read whole (kube-apiserver's own limit is 3 MiB),
 * refused when they write a masked value back (a `kubectl get -o yaml | kubectl apply -f -` or
 * `kubectl replace` of a masked read would replace real secrets with the marker), and recorded in
 * the audit event masked — protobuf bodies (kubectl ≥ 1.32 `create secret`) by size and SHA-256 only.
 * get / list / watch carry no body in Kubernetes: one sent with them is refused unread (attack finding 2).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isScalar, parseDocument, parse as parseYaml, visit } from 'yaml';
import { badRequestStatus, buildStatus } from '../../kube/status.js';
import type { KubeStatus, RequestInfo } from '../../kube/types.js';
import { JsonTooDeepError, MAX_JSON_DEPTH } from '../../mask/json-depth.js';
import { carriesMaskedValue, containsMaskedValue, MASK_MARKER } from '../../mask/marker.js';
import { refusedJsonPatchOp } from '../../mask/json-patch-ops.js';
import { createMaskContext, kindForResource, LAST_APPLIED } from '../../mask/mask-object.js';
import { maskedFieldPaths, maskRequestBody } from '../../mask/mask-request-body.js';
import { restoreLastApplied } from './restore-last-applied.js';
import type { MaskRules } from '../../mask/mask-rules.js';
import { bodyBudgetStatus, type BodyHold } from '../body-budget.js';
import type { ClassifiedExchange, ProxyExchange } from './exchange.js';
import { jsonOnlyAccept, wantsJsonAnswer } from './mask-plan.js';

/** Largest request body the gateway reads (above kube-apiserver's 3 MiB, so it never refuses what kube accepts). */
export const MAX_REQUEST_BODY_BYTES = 4 << 20;
/**
 * Largest YAML body (one that is not JSON under a YAML type: kubectl sends JSON even as apply-patch+yaml) the gateway
 * parses. With the options below the `yaml` package parses in time linear in the input, but slowly: ~1.5 ms per KiB
 * measured on a loaded 2-core machine (load 16), so 32 KiB stay near 50 ms and a 4 MiB body would hold the event loop
 * for seconds. kube-apiserver reads YAML the same way as JSON; JSON has no such cost here, so larger bodies go as JSON.
 */
export const MAX_YAML_BODY_BYTES = 32 << 10;
/**
 * How request YAML is read. `uniqueKeys: false`: the duplicate-key check compares every key with every other one of
 * its map (quadratic: 256 KiB of `kN: 1` lines took 28 s); kube-apiserver (sigs.k8s.io/yaml on yaml.v2) takes the last
 * of duplicate keys too. `merge: true`: yaml.v2 honours `<<` merge keys, so the audit record and the masked-value
 * check must see the merged object kube-apiserver stores, not a `<<` key (attack finding 9). Aliases stay capped at 100.
 */
// maxAliasCount bounds what merge keys over aliases can multiply (bodies with aliases are refused at the door; this
// bounds the parse of a held review's body, which happens before it).
export const REQUEST_YAML_OPTIONS = { uniqueKeys: false, merge: true, maxAliasCount: 10 } as const;
const BODYLESS_VERBS = new Set(['get', 'list', 'watch']);
/** Larger masked bodies are recorded by size and hash only, to keep audit events small. */
const MAX_AUDITED_BODY_CHARS = 256 << 10;

const WRITE_VERBS = new Set(['create', 'update', 'patch']);

/** What the audit event records of a body that is not kept as a (masked) object. */
export interface BodyDigest {
  contentType: string | null;
  bytes: number;
  sha256: string;
}

/** True for requests whose body the gateway reads before forwarding: resource requests other than exec-class streams. */
export function readsRequestBody(info: RequestInfo | undefined): boolean {
  return info !== undefined && info.isResourceRequest && !info.execClass;
}

/**
 * Reads the whole body, or resolves undefined when it is larger than `limit`, 'over-budget' when `hold` cannot reserve
 * the next chunk (the rest is not read either way). The caller releases the hold when the exchange ends.
 */
export function readBody(req: IncomingMessage, limit: number, hold?: BodyHold): Promise<Buffer | undefined | 'over-budget'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | undefined | 'over-budget'): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', reject);
      req.off('aborted', onAborted);
      resolve(value);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.pause();
        done(undefined);
      } else if (hold !== undefined && !hold.take(c.length)) {
        req.pause();
        done('over-budget');
      } else chunks.push(c);
    };
    const onEnd = (): void => done(Buffer.concat(chunks));
    const onAborted = (): void => reject(new Error('the client went away while sending the body'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
    req.once('aborted', onAborted);
  });
}

/**
 * Status refusing a write that carries a masked value, shaped as kube-apiserver's NewInvalid so kubectl
 * prints `The Secret "db" is invalid: data.password: …`: kubectl shows `details.kind` and each cause's
 * field and message (not the top message), so every cause says what works instead.
 * `fields`: where the body holds a marker (empty when it could not be parsed, e.g. protobuf).
 */
export function maskedWriteStatus(info: RequestInfo, fields: readonly string[] = [], bodyKind?: string): KubeStatus {
  const kind = kindForResource(info.resource) ?? bodyKind ?? info.resource;
  const qualified = info.apiGroup === '' ? kind : `${kind}.${info.apiGroup}`;
  const where = fields.length === 0 ? ['<request body>'] : fields;
  const hint = maskedWriteHint(info, kind, where[0]!);
  const causes = where.map((field, i) => ({
    reason: 'FieldValueInvalid',
    message: `Invalid value: "${MASK_MARKER}": a value masked by hoopctl cannot be written back (it would replace the real value)${i === where.length - 1 ? `; ${hint}` : ''}`,
    field,
  }));
  const summary = causes.map((c) => `${c.field}: ${c.message}`);
  return buildStatus(
    422,
    'Invalid',
    `${qualified} ${JSON.stringify(info.name)} is invalid: ${summary.length === 1 ? summary[0]! : `[${summary.join(', ')}]`}`,
    {
      ...(info.name === '' ? {} : { name: info.name }),
      group: info.apiGroup,
      kind,
      causes,
    },
  );
}

/** The command that does work: send only what changes, with the real value. */
function maskedWriteHint(info: RequestInfo, kind: string, field: string): string {
  const ns = info.namespace === '' ? '' : ` -n ${info.namespace}`;
  const name = info.name === '' ? '<name>' : info.name;
  if (field.startsWith(`metadata.annotations.${LAST_APPLIED}`)) {
    return `apply your own manifest (kubectl apply${ns} -f <your-file>.yaml) instead of one read back through hoopctl, or leave the annotation out`;
  }
  const key = /^(?:data|stringData|binaryData)\.(.+)$/.exec(field)?.[1];
  if (kind === 'Secret') {
    const k = key ?? '<key>';
    return (
      `send the real value: kubectl create secret generic ${name}${ns} --from-literal=${k}=<value> --dry-run=client -o yaml | kubectl apply -f -, ` +
      `or change only that field: kubectl patch secret ${name}${ns} -p '{"stringData":{"${k}":"<value>"}}'`
    );
  }
  if (kind === 'ConfigMap') {
    return `change only that field with its real value: kubectl patch configmap ${name}${ns} -p '{"data":{"${key ?? '<key>'}":"<value>"}}'`;
  }
  const pointer = `/${field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .join('/')}`;
  return `change only that field with its real value: kubectl patch ${info.resource} ${name}${ns} --type=json -p '[{"op":"replace","path":"${pointer}","value":"<value>"}]'`;
}

/** Status for a body above MAX_REQUEST_BODY_BYTES. */
export function bodyTooLargeStatus(): KubeStatus {
  return buildStatus(413, 'RequestEntityTooLarge', `the request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes, which the gateway does not accept`);
}

/** Status for a YAML body above MAX_YAML_BODY_BYTES. */
export function yamlTooLargeStatus(): KubeStatus {
  return buildStatus(
    413,
    'RequestEntityTooLarge',
    `a YAML request body may be at most ${MAX_YAML_BODY_BYTES} bytes at this gateway; send it as JSON (Content-Type: application/json, as kubectl does), which may be up to ${MAX_REQUEST_BODY_BYTES} bytes`,
  );
}

/** Status for a body sent with a verb that has none. */
export function unexpectedBodyStatus(verb: string): KubeStatus {
  return badRequestStatus(`a ${verb} request carries no body in Kubernetes, and the gateway does not accept one; send the request without a body`);
}

/** True for a YAML-typed body that is not JSON and larger than the gateway parses. */
export function yamlBodyTooLarge(body: Buffer, contentType: string | undefined): boolean {
  if (body.length <= MAX_YAML_BODY_BYTES || !isYamlType(mediaOf(contentType))) return false;
  try {
    JSON.parse(body.toString('utf8'));
    return false;
  } catch {
    return true;
  }
}

/**
 * Why the gateway will not read a YAML body (not JSON, within MAX_YAML_BODY_BYTES), or undefined. Anchors, aliases,
 * merge keys and explicit tags are refused: kube-apiserver reads YAML 1.1 through yaml.v2, which resolves `!!binary`
 * to a string where this parser makes bytes (so env masking, the audit and a reviewer's view saw another object than
 * the one applied), and merge keys over aliases multiply a 32 KiB body into hundreds of thousands of keys parsed on the
 * event loop. kubectl sends JSON; such bodies are for other clients, which can send JSON too.
 */
export function unreadableYaml(body: Buffer, contentType: string | undefined, o: { tagsOnly?: boolean } = {}): string | undefined {
  if (body.length > MAX_YAML_BODY_BYTES || !isYamlType(mediaOf(contentType))) return undefined;
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    /* YAML proper: look at it */
  }
  let why: string | undefined;
  try {
    visit(parseDocument(text, { ...REQUEST_YAML_OPTIONS, merge: false }), {
      Alias() {
        if (o.tagsOnly === true) return undefined;
        why = 'an alias (*name)';
        return visit.BREAK;
      },
      Node(_key, node) {
        if (node.anchor !== undefined && o.tagsOnly !== true) why = `an anchor (&${node.anchor})`;
        else if (node.tag !== undefined) why = `a tag (${node.tag})`;
        return why === undefined ? undefined : visit.BREAK;
      },
      Pair(_key, pair) {
        if (o.tagsOnly !== true && isScalar(pair.key) && pair.key.value === '<<') {
          why = 'a merge key (<<)';
          return visit.BREAK;
        }
        return undefined;
      },
    });
  } catch {
    return undefined;
  }
  return why;
}

/** Status for a YAML body the gateway will not read (unreadableYaml). */
export function unreadableYamlStatus(why: string): KubeStatus {
  return badRequestStatus(
    `hoopctl reads YAML request bodies without anchors, aliases, merge keys or tags, and this one has ${why}; send the object as JSON (Content-Type: application/json, as kubectl does)`,
  );
}

const mediaOf = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
const isYamlType = (media: string): boolean => media.endsWith('+yaml') || media === 'application/yaml';

/** Status for a body nested deeper than the maskers walk (json-depth.ts says why the limit is what it is). */
export function bodyTooDeepStatus(): KubeStatus {
  return badRequestStatus(`the request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels, which the gateway does not accept`);
}

/** True when a write would store a masked value. */
export function writesMaskedValue(info: RequestInfo, body: Buffer, contentType?: string): boolean {
  if (!WRITE_VERBS.has(info.verb)) return false;
  if (carriesMaskedValue(body)) return true;
  // What kube-apiserver will store is the decoded body: check that too (escapes, base64 split by newlines).
  const parsed = parseBody(body, contentType);
  return parsed !== undefined && containsMaskedValue(parsed);
}

/** The audit record of a request body: the masked object for JSON and YAML, else (protobuf, unparseable, large) size and hash. */
export function auditedRequestObject(body: Buffer, contentType: string | undefined, info: RequestInfo, rules: MaskRules): { value: unknown; masked: number } {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const digest = (): BodyDigest => ({ contentType: contentType ?? null, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  if (body.length === 0) return { value: null, masked: 0 };
  if (!(media === 'application/json' || media.endsWith('+json') || isYamlType(media))) return { value: digest(), masked: 0 };
  const parsed = parseBody(body, contentType);
  if (parsed === undefined) return { value: digest(), masked: 0 };
  const kind = kindForResource(info.resource);
  const ctx = createMaskContext(rules, kind === undefined ? {} : { kindHint: kind });
  const masked = maskRequestBody(parsed, ctx);
  const text = JSON.stringify(masked);
  if (text === undefined || text.length > MAX_AUDITED_BODY_CHARS) return { value: digest(), masked: ctx.counter.masked };
  return { value: masked, masked: ctx.counter.masked };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON or YAML body parsed (apply patches are YAML, usually written as JSON); undefined otherwise. */
function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  try {
    if (media === 'application/json' || media.endsWith('+json')) return JSON.parse(body.toString('utf8'));
    // kubectl sends server-side apply bodies as JSON under the YAML type; JSON.parse first keeps that exact.
    if (isYamlType(media)) {
      const text = body.toString('utf8');
      try {
        return JSON.parse(text);
      } catch {
        // Too large, or YAML this gateway would read otherwise than kube-apiserver: recorded by size and hash only.
        if (body.length > MAX_YAML_BODY_BYTES || unreadableYaml(body, contentType, { tagsOnly: true }) !== undefined) return undefined;
        return parseYaml(text, REQUEST_YAML_OPTIONS) as unknown;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function hasBody(x: ProxyExchange): boolean {
  const len = x.req.headers['content-length'];
  return x.req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/**
 * Reads the body of a resource request (unless a step already did), refuses writes of masked values
 * and unreadable bodies, and keeps the masked audit record on the exchange. Undefined: go on.
 */
export async function prepareMaskedRequest(x: ClassifiedExchange): Promise<KubeStatus | undefined> {
  const { info } = x;
  if (!readsRequestBody(info) || (x.requestBody === undefined && !hasBody(x))) return undefined;
  // Refused before a byte is read: nothing to buffer or parse, and kube-apiserver would ignore it anyway.
  if (BODYLESS_VERBS.has(info.verb)) {
    x.message = `refused: a body on ${info.verb}`;
    return unexpectedBodyStatus(info.verb);
  }
  const encoding = (x.req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  // A compressed body could hide a masked value (or a secret) from the checks below.
  if (encoding !== 'identity' && encoding !== '')
    return buildStatus(415, 'UnsupportedMediaType', `the gateway does not accept request bodies with Content-Encoding ${encoding}`);
  if (x.requestBody === undefined) {
    let body: Buffer | undefined | 'over-budget';
    const hold = x.gw.bodies.open(x.session.claims.sid);
    // Held until the exchange ends: forward still sends these bytes.
    x.res.once('close', () => hold.release());
    try {
      body = await readBody(x.req, MAX_REQUEST_BODY_BYTES, hold);
    } catch {
      x.message = 'the client went away while sending the body';
      return badRequestStatus(x.message);
    }
    if (body === undefined) return bodyTooLargeStatus();
    if (body === 'over-budget') {
      x.message = 'refused: the request bodies held in memory would pass their budget';
      if (!x.res.headersSent) x.res.setHeader('retry-after', '1');
      return bodyBudgetStatus(x.gw.bodies.limits);
    }
    x.requestBody = body;
  }
  const received = x.requestBody;
  if (yamlBodyTooLarge(received, x.req.headers['content-type'])) {
    x.message = 'refused: a YAML body too large to parse';
    return yamlTooLargeStatus();
  }
  const unreadable = unreadableYaml(received, x.req.headers['content-type']);
  if (unreadable !== undefined) {
    x.message = `refused: a YAML body with ${unreadable}`;
    return unreadableYamlStatus(unreadable);
  }
  const media = (x.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (info.verb === 'patch' && media === 'application/json-patch+json') {
    const why = refusedJsonPatchOp(parseBody(received, media));
    if (why !== undefined) {
      x.message = `refused: ${why}`;
      return buildStatus(422, 'Invalid', `hoopctl refuses this JSON patch: ${why}`, {
        ...(info.name === '' ? {} : { name: info.name }),
        group: info.apiGroup,
        kind: info.resource,
        causes: [{ reason: 'FieldValueForbidden', message: why, field: 'patch' }],
      });
    }
  }
  if (writesMaskedValue(info, received, x.req.headers['content-type'])) {
    const parsed = parseBody(received, x.req.headers['content-type']);
    const restored = parsed === undefined ? undefined : await restoreLastApplied(x, parsed);
    if (restored === undefined) {
      x.message = 'refused: the request writes a masked value back';
      const kind = isObj(parsed) && typeof parsed.kind === 'string' ? parsed.kind : undefined;
      return maskedWriteStatus(info, parsed === undefined ? [] : maskedFieldPaths(parsed), kind);
    }
    x.requestBody = restored;
    x.message = 'the masked last-applied annotation was sent as the live value it stands for';
  }
  let audited: { value: unknown; masked: number };
  try {
    audited = auditedRequestObject(received, x.req.headers['content-type'], info, x.gw.config.policy.masking.rules);
  } catch (e) {
    if (!(e instanceof JsonTooDeepError)) throw e;
    x.message = 'refused: the request body nests too deep to be masked';
    return bodyTooDeepStatus();
  }
  x.requestObject = audited.value;
  x.maskedCount = (x.maskedCount ?? 0) + audited.masked;
  return undefined;
}

const DECODED_CODINGS = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'identity']);

/** Upstream headers of a masked request: JSON answers for resource reads, and only content codings the gateway can decode. */
export function maskingRequestHeaders(x: ProxyExchange, headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out = { ...headers };
  for (const name of Object.keys(out)) {
    const n = name.toLowerCase();
    if (n === 'accept' && wantsJsonAnswer(x.info)) {
      const v = out[name]!;
      out[name] = jsonOnlyAccept(Array.isArray(v) ? v.join(',') : v);
    } else if (n === 'accept-encoding') {
      const v = out[name]!;
      const kept = (Array.isArray(v) ? v.join(',') : v)
        .split(',')
        .map((t) => t.trim())
        .filter((t) => DECODED_CODINGS.has(t.split(';')[0]!.trim().toLowerCase()));
      if (kept.length === 0) delete out[name];
      else out[name] = kept.join(', ');
    }
  }
  if (wantsJsonAnswer(x.info) && !Object.keys(out).some((n) => n.toLowerCase() === 'accept')) out.accept = 'application/json';
  // restoreLastApplied may have rewritten the body: its length is the one sent.
  if (x.requestBody !== undefined) {
    for (const name of Object.keys(out)) if (name.toLowerCase() === 'content-length') out[name] = String(x.requestBody.length);
  }
  return out;
}
