/**
 * The three self reviews kubectl sends for `auth whoami` and `auth can-i` (KEP-3325 SelfSubjectReview;
 * authorization.k8s.io SelfSubjectAccessReview / SelfSubjectRulesReview): which request is one, and
 * what its body asks, from JSON (kubectl 1.27) or protobuf (kubectl 1.32+).
 */
import { decodeReviewProtobuf, ReviewDecodeError, type DecodedReview } from './review-protobuf.js';
import type { RequestInfo } from './types.js';

/** Kinds of the self reviews. */
export type SelfReviewKind = 'SelfSubjectReview' | 'SelfSubjectAccessReview' | 'SelfSubjectRulesReview';

/** The review a request path names: its kind and the apiVersion the answer must carry. */
export interface SelfReviewTarget {
  kind: SelfReviewKind;
  apiVersion: string;
}

// Versions kube-apiserver 1.27–1.33 served; kubectl 1.27 asks authentication.k8s.io/v1beta1 for whoami.
const TARGETS: Record<string, { kind: SelfReviewKind; versions: string[] }> = {
  'authentication.k8s.io/selfsubjectreviews': { kind: 'SelfSubjectReview', versions: ['v1', 'v1beta1', 'v1alpha1'] },
  'authorization.k8s.io/selfsubjectaccessreviews': { kind: 'SelfSubjectAccessReview', versions: ['v1', 'v1beta1'] },
  'authorization.k8s.io/selfsubjectrulesreviews': { kind: 'SelfSubjectRulesReview', versions: ['v1', 'v1beta1'] },
};

/** The self review a classified request addresses (any method), or undefined. They are cluster-scoped collections. */
export function selfReviewTarget(info: RequestInfo): SelfReviewTarget | undefined {
  if (!info.isResourceRequest || info.namespace !== '' || info.name !== '' || info.subresource !== '') return undefined;
  const t = TARGETS[`${info.apiGroup}/${info.resource}`];
  if (t === undefined || !t.versions.includes(info.apiVersion)) return undefined;
  return { kind: t.kind, apiVersion: `${info.apiGroup}/${info.apiVersion}` };
}

/** authorization/v1 ResourceAttributes (the fields hoopctl reads). */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** authorization/v1 NonResourceAttributes. */
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

/** What a review body asks. */
export type ReviewQuestion =
  | { kind: 'SelfSubjectReview' }
  | { kind: 'SelfSubjectAccessReview'; resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }
  | { kind: 'SelfSubjectRulesReview'; namespace: string };

/** A review body that cannot be answered; `code` is the HTTP status kube-apiserver would use (400, 415, 422). */
export class ReviewBodyError extends Error {
  constructor(
    readonly code: 400 | 415 | 422,
    message: string,
  ) {
    super(message);
  }
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function stringFields(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ReviewBodyError(400, `${where} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') {
      if (x !== '') out[k] = x;
    } else if (x !== null && typeof x !== 'object') throw new ReviewBodyError(400, `${where}.${k} must be a string`);
  }
  return out;
}

function fromJson(body: Buffer): DecodedReview {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ReviewBodyError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ReviewBodyError(400, 'the request body must be a JSON object');
  const d = doc as Record<string, unknown>;
  const spec = d['spec'] as Record<string, unknown> | undefined;
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || Array.isArray(spec))) throw new ReviewBodyError(400, 'spec must be an object');
  const out: DecodedReview = { apiVersion: typeof d['apiVersion'] === 'string' ? d['apiVersion'] : '', kind: typeof d['kind'] === 'string' ? d['kind'] : '' };
  if (spec !== undefined) {
    const ra = stringFields(spec['resourceAttributes'], 'spec.resourceAttributes');
    const nra = stringFields(spec['nonResourceAttributes'], 'spec.nonResourceAttributes');
    const ns = spec['namespace'];
    if (ns !== undefined && ns !== null && typeof ns !== 'string') throw new ReviewBodyError(400, 'spec.namespace must be a string');
    out.spec = {
      ...(ra === undefined ? {} : { resourceAttributes: ra }),
      ...(nra === undefined ? {} : { nonResourceAttributes: nra }),
      ...(typeof ns === 'string' && ns !== '' ? { namespace: ns } : {}),
    };
  }
  return out;
}

/** Reads a review body sent to `target`; throws ReviewBodyError for what kube-apiserver would refuse. */
export function readReviewBody(target: SelfReviewTarget, contentType: string | undefined, body: Buffer): ReviewQuestion {
  const type = mediaType(contentType);
  let decoded: DecodedReview;
  if (type === PROTOBUF) {
    try {
      decoded = decodeReviewProtobuf(body);
    } catch (e) {
      if (e instanceof ReviewDecodeError) throw new ReviewBodyError(400, e.message);
      throw e;
    }
  } else if (type === 'application/json') {
    decoded = fromJson(body);
  } else {
    throw new ReviewBodyError(415, `the body of the request was in an unknown format - accepted media types include: application/json, ${PROTOBUF}`);
  }
  // kube-apiserver fills an absent apiVersion/kind from the path and refuses a different one.
  if ((decoded.kind !== '' && decoded.kind !== target.kind) || (decoded.apiVersion !== '' && decoded.apiVersion !== target.apiVersion)) {
    throw new ReviewBodyError(400, `the body is a ${decoded.apiVersion} ${decoded.kind}, not a ${target.apiVersion} ${target.kind}`);
  }
  const spec = decoded.spec ?? {};
  if (target.kind === 'SelfSubjectReview') return { kind: target.kind };
  if (target.kind === 'SelfSubjectRulesReview') return { kind: target.kind, namespace: spec.namespace ?? '' };
  const { resourceAttributes, nonResourceAttributes } = spec;
  if ((resourceAttributes === undefined) === (nonResourceAttributes === undefined)) {
    throw new ReviewBodyError(422, 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  return {
    kind: target.kind,
    ...(resourceAttributes === undefined ? {} : { resourceAttributes }),
    ...(nonResourceAttributes === undefined ? {} : { nonResourceAttributes }),
  };
}
