// Create-only review resources: SelfSubjectReview (`kubectl auth whoami`, fixtures 55/56/58)
// reports the caller, impersonation included; SelfSubjectAccessReview and SelfSubjectRulesReview
// (`kubectl auth can-i`) allow everything, since the simulation has no RBAC authorizer.
import type { RequestContext } from './handler-context.js';
import { decodeBody, readBody, writeObject } from './http-io.js';
import { kubeTime } from './object-store.js';
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
    case 'SelfSubjectAccessReview':
      answer = {
        ...head, metadata: { creationTimestamp: null }, spec: body.spec ?? {},
        status: { allowed: true, reason: 'the hoopctl kube-apiserver simulation authorizes every request' },
      };
      break;
    default:
      answer = {
        ...head, metadata: { creationTimestamp: null }, spec: body.spec ?? {},
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: false,
        },
      };
  }
  writeObject(ctx.req, ctx.res, ctx.url, 201, answer);
}
