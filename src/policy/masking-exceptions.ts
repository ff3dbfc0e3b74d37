/** Which masking exceptions apply to a request: the gateway then leaves the matching objects in clear and audits it. */
import type { CompiledPolicy } from './compiled-policy.js';
import { matchesPattern } from './pattern.js';
import { rolesFor } from './subject-bindings.js';
import type { Subject } from './types.js';

/** Who asks, where, with which session role. */
export interface MaskExemptionRequest {
  subject: Subject;
  connection: string;
  /** The session's role; undefined: the roles the subject holds without approval. */
  role?: string;
  resource: string;
}

/** Returns the path of the exception that lets the caller read (namespace, name) in clear, or undefined. */
export type MaskExemption = (namespace: string, name: string) => string | undefined;

/** The exemption test for one request, or undefined when no exception can apply (the common case). */
export function maskExemptionFor(policy: CompiledPolicy, req: MaskExemptionRequest): MaskExemption | undefined {
  const candidates = policy.masking.exceptions.filter((e) => {
    if (!matchesPattern(e.connections, req.connection) || !matchesPattern(e.resources, req.resource)) return false;
    if (e.users !== undefined && !matchesPattern(e.users, req.subject.user)) return false;
    if (e.groups !== undefined && !req.subject.groups.some((g) => matchesPattern(e.groups!, g))) return false;
    if (e.roles !== undefined) {
      const active =
        req.role !== undefined
          ? [req.role]
          : rolesFor(policy, req.subject, req.connection)
              .filter((r) => !r.approval)
              .map((r) => r.name);
      if (!e.roles.some((role) => active.includes(role))) return false;
    }
    return true;
  });
  if (candidates.length === 0) return undefined;
  return (namespace, name) => candidates.find((e) => matchesPattern(e.namespaces, namespace) && matchesPattern(e.names, name))?.path;
}
