/** Which binding governs a session-elevation request: its approver groups and how many approvals it needs. */
import type { CompiledPolicy } from './compiled-policy.js';
import { bindingsFor } from './subject-bindings.js';
import type { Subject } from './types.js';

/** What approving a role on a connection takes, by the binding that grants it. */
export interface SessionApprovalRule {
  /** Path of the binding, e.g. `bindings[1]`. */
  rule: string;
  approvers: string[];
  minApprovals: number;
}

/**
 * The first binding (file order) that grants `role` to the subject on `connection` with approval.
 * Undefined when no binding grants the role at all, or one grants it without approval (no request needed).
 */
export function sessionApprovalFor(policy: CompiledPolicy, subject: Subject, connection: string, role: string): SessionApprovalRule | undefined {
  const granting = bindingsFor(policy, subject, connection).filter((b) => b.roles.includes(role));
  if (granting.length === 0 || granting.some((b) => !b.approval)) return undefined;
  const b = granting[0]!;
  return { rule: `bindings[${b.index}]`, approvers: b.approvers, minApprovals: b.minApprovals };
}

/** True when a person with `groups` is in one of the approver groups. */
export function inApproverGroups(approvers: readonly string[], groups: readonly string[]): boolean {
  return groups.some((g) => approvers.includes(g));
}
