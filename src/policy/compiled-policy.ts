/** The policy after compilePolicy: validated, with every pattern compiled, ready for evaluatePolicy. */
import type { MaskRules } from '../mask/mask-rules.js';
import type { PatternSet } from './pattern.js';

/** One masking exception; `path` (e.g. `policy.masking.exceptions[0]`) is what the audit event names. */
export interface CompiledMaskException {
  path: string;
  /** Session roles, any of which grants the exception (undefined: not a condition). */
  roles?: string[];
  users?: PatternSet;
  groups?: PatternSet;
  connections: PatternSet;
  resources: PatternSet;
  namespaces: PatternSet;
  names: PatternSet;
}

/** The compiled masking section. */
export interface CompiledMasking {
  /** false turns masking off everywhere (benchmarks only; documented as unsafe). */
  enabled: boolean;
  rules: MaskRules;
  exceptions: CompiledMaskException[];
}

/** A `resources` entry: `pods` (no subresource), `pods/*` (any subresource), `*` (everything, as in kube RBAC), `config*`, or any resource's `scale` written star-slash-scale. */
export interface ResourcePattern {
  /** True for a bare `*`: every resource and every subresource. */
  all: boolean;
  resource: PatternSet;
  /** null: only the resource itself (no subresource); otherwise the subresources it grants. */
  subresource: PatternSet | null;
}

/** One compiled rule of a role, or the `match` of a guardrail. */
export type CompiledRule =
  | {
      kind: 'resource';
      verbs: PatternSet;
      apiGroups: PatternSet;
      resources: ResourcePattern[];
      namespaces: PatternSet;
      /** null: any name (also requests without one); otherwise the request's name must match. */
      resourceNames: PatternSet | null;
    }
  | { kind: 'nonResource'; verbs: PatternSet; nonResourceURLs: PatternSet };

/** A role: named rule set, `index` is its position in `roles`. */
export interface CompiledRole {
  index: number;
  name: string;
  rules: CompiledRule[];
}

/** Who gets which roles on which connections. */
export interface CompiledBinding {
  index: number;
  users: PatternSet;
  groups: PatternSet;
  connections: PatternSet;
  /** Role names, in file order (each is defined). */
  roles: string[];
  approval: boolean;
  /** Groups whose members may approve (only with approval). */
  approvers: string[];
  minApprovals: number;
  maxTtlSeconds?: number;
}

/** An always-applied deny or needs-approval rule. */
export interface CompiledGuardrail {
  index: number;
  name: string;
  connections: PatternSet;
  match: CompiledRule;
  effect: 'deny' | 'approval';
  message?: string;
  approvers: string[];
  minApprovals: number;
}

/** A compiled policy. */
export interface CompiledPolicy {
  roles: CompiledRole[];
  rolesByName: ReadonlyMap<string, CompiledRole>;
  bindings: CompiledBinding[];
  guardrails: CompiledGuardrail[];
  /** defaults.discovery: discovery/version/openapi reads for anyone bound on the connection. */
  discovery: boolean;
  /** The masking rule set and its exceptions (built-in rules when the policy has no `masking`). */
  masking: CompiledMasking;
}
