// Create-only review resources: SelfSubjectReview (`kubectl auth whoami`, fixtures 55/56/58)
// reports the caller, impersonation included. The simulation has no RBAC authorizer: the
// SelfSubjectAccessReview answers `{allowed: true}` unless a test denied the attributes to the
// caller (`denyAccess`), then `{allowed: false}` — without a reason, as kube-apiserver 1.32 answers
// both for system:masters and for a user without bindings (fixture 113). SelfSubjectRulesReview
// lists everything.
import type { AccessDenial, RequestContext, UserInfo } from './handler-context.js';

export type { AccessDenial } from './handler-context.js';
import { decodeBody, readBody, writeObject } from './http-io.js';
import { defaultManager, recordManager } from './managed-fields.js';
import { kubeTime, type KubeObject } from './object-store.js';
import { apiVersionOf, type ResourceSpec } from './registry.js';
import { methodNotAllowed } from './status.js';

/** POST of a review resource; any other method is 405. */
export async function handleReview(ctx: RequestContext, spec: ResourceSpec): Promise<void> {
  if (ctx.req.method !== 'POST') throw methodNotAllowed();
  const body = decodeBody(ctx.req.headers['content-type'], await readBody(ctx.req), spec.kind) as { spec?: unknown };
  const head = { kind: spec.kind, apiVersion: apiVersionOf(spec) };
  let answer: Record<string, unknown>;
  switch (spec.kind) {
    case 'SelfSubjectReview': {
      const { username, uid, groups, extra } = ctx.user;
      const userInfo: Record<string, unknown> = { username };
      if (uid) userInfo['uid'] = uid;
      userInfo['groups'] = groups;
      if (extra && Object.keys(extra).length > 0) userInfo['extra'] = extra;
      answer = { ...head, metadata: { creationTimestamp: kubeTime(ctx.state.now()) }, status: { userInfo } };
      break;
    }
    case 'SelfSubjectAccessReview': {
      const spec = (body.spec ?? {}) as AccessReviewSpec;
      // kube-apiserver records the creating client as field manager even though nothing is stored (fixture 113).
      const recorded = recordManager(
        { ...head, metadata: { creationTimestamp: null }, spec } as unknown as KubeObject,
        { spec },
        {
          manager: defaultManager(ctx.req.headers['user-agent']),
          operation: 'Update',
          apiVersion: head.apiVersion,
          time: ctx.state.now(),
        },
      );
      // The attributes are pointer fields in Go, so their field set carries ".", unlike the `spec` struct around them.
      for (const m of recorded.metadata.managedFields ?? []) {
        const fs = (m['fieldsV1'] as { 'f:spec'?: Record<string, Record<string, unknown>> })['f:spec'] ?? {};
        for (const k of Object.keys(fs)) fs[k] = { '.': {}, ...fs[k] };
      }
      answer = { ...recorded, spec, status: { allowed: !isDenied(ctx.state.accessDenials ?? [], ctx.user, spec) } };
      break;
    }
    default:
      answer = {
        ...head,
        metadata: { creationTimestamp: null },
        spec: body.spec ?? {},
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
  }
  writeObject(ctx.req, ctx.res, ctx.url, 201, answer);
}

/** The attributes of a SelfSubjectAccessReview the simulation compares. */
interface AccessReviewSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

function isDenied(denials: readonly AccessDenial[], user: UserInfo, spec: AccessReviewSpec): boolean {
  const a = spec.resourceAttributes;
  if (a === undefined) return false;
  const match = (want: string | undefined, got: string | undefined): boolean => want === undefined || want === '*' || want === (got ?? '');
  return denials.some(
    (d) => d.user === user.username && match(d.verb, a.verb) && match(d.group, a.group) && match(d.resource, a.resource) && match(d.namespace, a.namespace),
  );
}
