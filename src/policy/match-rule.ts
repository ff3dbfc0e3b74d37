/** Does a compiled rule cover a classified request? Kube RBAC semantics, with exec-class requests read as `create`. */
import type { RequestInfo } from '../kube/types.js';
import type { CompiledRule, ResourcePattern } from './compiled-policy.js';
import { matchesPattern } from './pattern.js';

/**
 * The verb a rule must grant. Exec-class requests (exec, attach, portforward, ephemeralcontainers,
 * proxy) need `create` whatever the method: WebSocket exec arrives as GET, and a read-only role must
 * not open a shell (the same fix kube made in KEP-4006, "AuthorizePodWebsocketUpgradeCreatePermission").
 */
export function authorizationVerb(info: RequestInfo): string {
  return info.execClass ? 'create' : info.verb;
}

/** True when `rule` matches `info`. */
export function ruleMatches(rule: CompiledRule, info: RequestInfo): boolean {
  if (!matchesPattern(rule.verbs, authorizationVerb(info))) return false;
  if (rule.kind === 'nonResource') return !info.isResourceRequest && matchesPattern(rule.nonResourceURLs, info.path);
  if (!info.isResourceRequest) return false;
  if (!matchesPattern(rule.apiGroups, info.apiGroup)) return false;
  if (!rule.resources.some((p) => resourceMatches(p, info))) return false;
  // Cluster-scoped requests (namespace '') only match '*' or the explicit '' pattern.
  if (!matchesPattern(rule.namespaces, info.namespace)) return false;
  // A rule limited to names never covers a request without one (list, create), as in kube RBAC.
  if (rule.resourceNames !== null && (info.name === '' || !matchesPattern(rule.resourceNames, info.name))) return false;
  return true;
}

function resourceMatches(p: ResourcePattern, info: RequestInfo): boolean {
  if (p.all) return true;
  if (!matchesPattern(p.resource, info.resource)) return false;
  // `pods` grants neither `pods/log` nor `pods/exec`; `pods/*` grants every subresource of pods.
  if (p.subresource === null) return info.subresource === '';
  return info.subresource !== '' && matchesPattern(p.subresource, info.subresource);
}
