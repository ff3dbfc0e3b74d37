/** Which bindings apply to a person on a connection, and what they give: roles, approval, TTL limits. */
import type { Subject } from './types.js';
import type { CompiledBinding, CompiledPolicy } from './compiled-policy.js';
import { matchesPattern } from './pattern.js';

/** One role as bound by one binding. */
export interface BoundRole {
  binding: CompiledBinding;
  role: string;
}

/** Bindings that name the subject (by user or any group) on `connection`, in file order. */
export function bindingsFor(policy: CompiledPolicy, subject: Subject, connection: string): CompiledBinding[] {
  return policy.bindings.filter(
    (b) => matchesPattern(b.connections, connection) && (matchesPattern(b.users, subject.user) || subject.groups.some((g) => matchesPattern(b.groups, g))),
  );
}

/** Every (binding, role) pair for the subject on the connection, in file order. */
export function boundRoles(policy: CompiledPolicy, subject: Subject, connection: string): BoundRole[] {
  return bindingsFor(policy, subject, connection).flatMap((binding) => binding.roles.map((role) => ({ binding, role })));
}

/** Roles the subject may use on `connection`; `approval` is false when some binding grants the role without approval. */
export function rolesFor(policy: CompiledPolicy, subject: Subject, connection: string): { name: string; approval: boolean }[] {
  const out = new Map<string, boolean>();
  for (const { binding, role } of boundRoles(policy, subject, connection)) {
    out.set(role, (out.get(role) ?? true) && binding.approval);
  }
  return [...out].map(([name, approval]) => ({ name, approval }));
}

/**
 * Longest session the policy allows: over the bindings that would grant `role` (or, without one,
 * the bindings that need no approval). Undefined when a granting binding sets no maxTtl (the
 * connection's max applies) or none grants it at all; the caller still caps by the connection.
 */
export function maxTtlFor(policy: CompiledPolicy, subject: Subject, connection: string, role?: string): number | undefined {
  const granting = bindingsFor(policy, subject, connection).filter((b) => (role === undefined ? !b.approval : b.roles.includes(role)));
  if (granting.length === 0) return undefined;
  let max = 0;
  for (const b of granting) {
    if (b.maxTtlSeconds === undefined) return undefined;
    max = Math.max(max, b.maxTtlSeconds);
  }
  return max;
}
