/**
 * Validates the `policy:` section (or a bare policy file) once, at start: a bad rule stops the
 * gateway with the file and the rule's exact path (every bad rule at once), and every pattern is
 * compiled here so that evaluatePolicy builds nothing per request. Shape: templates/policy.example.yaml.
 */
import { z } from 'zod';
import {
  configInvalid,
  duration,
  formatPath,
  IF_VALID,
  integer,
  isMapping,
  issue,
  mapping,
  readWith,
  text,
  type ConfigPath,
  type ReadResult,
} from '../config-reader.js';
import { MIN_SESSION_TTL_SECONDS } from '../credential/session-ttl.js';
import { compileMasking, maskingSchema } from './compile-masking.js';
import { compileRule, patternList, ruleSchema } from './compile-rule.js';
import type { CompiledBinding, CompiledGuardrail, CompiledPolicy, CompiledRole } from './compiled-policy.js';
import { compilePatterns, MATCH_ANY } from './pattern.js';

export type { CompiledPolicy } from './compiled-policy.js';

/** Role and guardrail names appear in CLI flags, hints and audit lines. */
const NAME = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

/** Where the raw policy came from: `file` and the path of the policy inside it ('' for a bare policy file). */
export interface PolicySource {
  file: string;
  basePath: string;
}

const name = text.refine((n) => NAME.test(n), { error: (iss) => `${JSON.stringify(iss.input)} must be lower-case letters, digits, '-', '.' or '_'` });

// Approvers are group names, not patterns; a system: group can never log in, so it could never approve.
const approverList = z
  .array(z.string())
  .min(1)
  .superRefine((list, ctx) => {
    list.forEach((g, i) => {
      const fail = (message: string): void => issue(ctx, message, [i]);
      if (g === '' || g.includes('*') || /\s/.test(g)) fail(`${JSON.stringify(g)} must be a group name (no patterns)`);
      else if (g.toLowerCase().startsWith('system:')) fail(`${JSON.stringify(g)} can never approve: logins with system: groups are refused by the gateway`);
      else if (list.indexOf(g) !== i) fail(`${JSON.stringify(g)} is listed twice`);
    });
  }, IF_VALID);

/** `approvers` are required exactly when approval is asked for. */
function checkApprovers(m: { approvers?: string[] | undefined; minApprovals?: number | undefined }, approval: boolean, ctx: z.RefinementCtx): void {
  const fail = (key: string, message: string): void => issue(ctx, message, [key]);
  if (!approval) {
    if (m.approvers !== undefined) fail('approvers', 'only goes with approval (no approval is asked for here)');
    if (m.minApprovals !== undefined) fail('minApprovals', 'only goes with approval');
  } else if (m.approvers === undefined) {
    fail('approvers', 'is required when approval is asked for (the groups that may approve)');
  }
}

const roleSchema = mapping({ name, description: text.optional(), rules: z.array(ruleSchema(false)).min(1) });

const bindingSchema = mapping({
  description: text.optional(),
  users: patternList(false).optional(),
  groups: patternList(false).optional(),
  connections: patternList(false).optional(),
  roles: z.array(text).min(1).optional(),
  approval: z.boolean().optional(),
  approvers: approverList.optional(),
  minApprovals: integer(1).optional(),
  maxTtl: duration.refine((s) => s >= MIN_SESSION_TTL_SECONDS, { error: 'must be at least 1m (sessions are never shorter)' }).optional(),
}).superRefine((m, ctx) => {
  if (m.users === undefined && m.groups === undefined) issue(ctx, 'needs groups or users (whom the binding applies to)');
  if (m.connections === undefined) issue(ctx, 'is required (names, or ["*"])', ['connections']);
  if (m.roles === undefined) issue(ctx, 'is required', ['roles']);
  checkApprovers(m, m.approval ?? false, ctx);
}, IF_VALID);

const guardrailSchema = mapping({
  name,
  description: text.optional(),
  connections: patternList(false).optional(),
  match: ruleSchema(true),
  effect: z.enum(['deny', 'approval']),
  message: text.optional(),
  approvers: approverList.optional(),
  minApprovals: integer(1).optional(),
}).superRefine((m, ctx) => checkApprovers(m, m.effect === 'approval', ctx), IF_VALID);

const SHAPE = {
  roles: z.array(roleSchema).optional(),
  bindings: z.array(bindingSchema).optional(),
  guardrails: z.array(guardrailSchema).optional(),
  defaults: mapping({ discovery: z.boolean().optional() }).optional(),
  masking: maskingSchema.optional(),
};

/** The raw policy after its schema. */
export type PolicyInput = z.output<z.ZodObject<typeof SHAPE>>;

/**
 * The policy schema; `base` is where the policy sits in its file. Names that refer to each other
 * (roles named by bindings and masking exceptions, duplicate names) are checked even when other
 * parts of the policy are wrong, so one run reports them all.
 */
export function policySchema(base: ConfigPath): z.ZodType<PolicyInput> {
  return mapping(SHAPE).superRefine(
    (parsed, ctx) => {
      // Runs even when parts of the policy are wrong (`when` below): read the value as the untyped YAML it may still be.
      const raw: unknown = parsed;
      if (!isMapping(raw)) return;
      const fail = (path: (string | number)[], message: string): void => issue(ctx, message, path);
      const entries = (key: string): Record<string, unknown>[] => (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []).map((e) => (isMapping(e) ? e : {}));
      const roleNames: string[] = [];
      entries('roles').forEach((r, i) => {
        if (typeof r.name !== 'string') return;
        const first = roleNames.indexOf(r.name);
        if (first !== -1) fail(['roles', i, 'name'], `role "${r.name}" is defined twice (first at ${formatPath([...base, 'roles', first])})`);
        roleNames.push(r.name);
      });
      const known = [...new Set(roleNames)].join(', ') || 'none';
      const checkRoles = (path: (string | number)[], list: unknown): void => {
        if (!Array.isArray(list)) return;
        list.forEach((n, k) => {
          if (typeof n === 'string' && n.trim() !== '' && !roleNames.includes(n))
            fail([...path, k], `role ${JSON.stringify(n)} is not defined (roles: ${known})`);
        });
      };
      entries('bindings').forEach((b, i) => checkRoles(['bindings', i, 'roles'], b.roles));
      if (isMapping(raw.masking)) {
        (Array.isArray(raw.masking.exceptions) ? raw.masking.exceptions : []).forEach((e, i) => {
          if (isMapping(e)) checkRoles(['masking', 'exceptions', i, 'roles'], e.roles);
        });
      }
      const guardrailNames: string[] = [];
      entries('guardrails').forEach((g, i) => {
        if (typeof g.name !== 'string') return;
        const first = guardrailNames.indexOf(g.name);
        if (first !== -1) fail(['guardrails', i, 'name'], `guardrail "${g.name}" is defined twice (first at guardrails[${first}])`);
        guardrailNames.push(g.name);
      });
    },
    { when: () => true },
  );
}

/** Checks a raw policy: every issue, with paths under `base`. */
export function checkPolicy(raw: unknown, base: ConfigPath): ReadResult<PolicyInput> {
  return readWith(policySchema(base), raw, base);
}

/** Compiles a policy its schema accepted; `base` is where it sits in the file. */
export function compileCheckedPolicy(p: PolicyInput, base: ConfigPath): CompiledPolicy {
  const roles: CompiledRole[] = (p.roles ?? []).map((r, index) => ({ index, name: r.name, rules: r.rules.map(compileRule) }));
  const bindings = (p.bindings ?? []).map((b, index): CompiledBinding => ({
    index,
    users: compilePatterns(b.users ?? []),
    groups: compilePatterns(b.groups ?? []),
    connections: compilePatterns(b.connections ?? []),
    roles: b.roles ?? [],
    approval: b.approval ?? false,
    approvers: b.approval === true ? (b.approvers ?? []) : [],
    minApprovals: b.approval === true ? (b.minApprovals ?? 1) : 0,
    ...(b.maxTtl === undefined ? {} : { maxTtlSeconds: b.maxTtl }),
  }));
  const guardrails = (p.guardrails ?? []).map((g, index): CompiledGuardrail => ({
    index,
    name: g.name,
    connections: g.connections === undefined ? MATCH_ANY : compilePatterns(g.connections),
    match: compileRule(g.match),
    effect: g.effect,
    approvers: g.effect === 'approval' ? (g.approvers ?? []) : [],
    minApprovals: g.effect === 'approval' ? (g.minApprovals ?? 1) : 0,
    ...(g.message === undefined ? {} : { message: g.message }),
  }));
  return {
    roles,
    rolesByName: new Map(roles.map((r) => [r.name, r])),
    bindings,
    guardrails,
    discovery: p.defaults?.discovery ?? true,
    masking: compileMasking(p.masking, [...base, 'masking']),
  };
}

/** Validates and compiles a raw policy; throws HoopError('config_invalid') with one `<file>: <path>: <reason>` line per mistake. */
export function compilePolicy(raw: unknown, where: PolicySource): CompiledPolicy {
  const base = where.basePath === '' ? [] : [where.basePath];
  const r = checkPolicy(raw, base);
  if (!r.ok) throw configInvalid(where.file, r.issues);
  return compileCheckedPolicy(r.data, base);
}
