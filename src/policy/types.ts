/** Compiled policy types. The YAML shape is documented in README.md ("Gateway config reference"). */
import type { RequestInfo } from '../kube/types.js';

/** Closed union of policy outcomes; deny beats approval beats allow, default deny. */
export type Effect = 'allow' | 'deny' | 'approval';

/** The caller, as the gateway sees them (from the verified credential). */
export interface Subject {
  user: string;
  groups: string[];
}

/** Input to evaluatePolicy. */
export interface PolicyRequest {
  subject: Subject;
  connection: string;
  /** Role the session was issued for (undefined: the union of roles the subject holds without approval). */
  role?: string;
  /** Namespaces the session is limited to (undefined: none; the role alone decides). */
  namespaces?: readonly string[];
  request: RequestInfo;
}

/** Result of evaluatePolicy: the effect and the rule that made it, by its path in the policy file. */
export interface PolicyDecision {
  effect: Effect;
  /** e.g. `guardrails[1]` or `bindings[0] → roles[2].rules[0]`, or `default-deny`. */
  rule: string;
  /** Human sentence kubectl will print (inside the Status message). */
  reason: string;
  /** The next command that would help, e.g. `hoopctl connect prod --role edit --reason "…"`. */
  hint?: string;
  /** Set when a guardrail with effect `approval` decided: this one request needs a review by these groups. */
  review?: ReviewRequirement;
}

/** Who must approve a single request that a guardrail holds for review. */
export interface ReviewRequirement {
  guardrail: string;
  approvers: string[];
  minApprovals: number;
}
