/**
 * Validates the `policy:` section (or a bare policy file) once, at start: a bad rule stops the
 * gateway with the file and the rule's exact path, and every pattern is compiled here so that
 * evaluatePolicy builds nothing per request. Shape: templates/policy.example.yaml.
 */
import { parseDuration } from '../credential/duration.js';
import { MIN_SESSION_TTL_SECONDS } from '../credential/session-ttl.js';
import { compileMasking } from './compile-masking.js';
import { compileRule } from './compile-rule.js';
import type { CompiledBinding, CompiledGuardrail, CompiledPolicy, CompiledRole } from './compiled-policy.js';
import { compilePatterns, MATCH_ANY, type PatternSet } from './pattern.js';
import { joinPath, PolicyReader } from './policy-reader.js';

export type { CompiledPolicy } from './compiled-policy.js';

/** Role and guardrail names appear in CLI flags, hints and audit lines. */
const NAME = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

/** Where the raw policy came from: `file` and the path of the policy inside it ('' for a bare policy file). */
export interface PolicySource {
  file: string;
  basePath: string;
}

/** Validates and compiles a raw policy; throws HoopError('config_invalid', '<file>: <path>: <reason>'). */
export function compilePolicy(raw: unknown, where: PolicySource): CompiledPolicy {
  const r = new PolicyReader(where.file);
  const base = where.basePath;
  const top = r.mapping(raw, base, ['roles', 'bindings', 'guardrails', 'defaults', 'masking']);

  const roles: CompiledRole[] = [];
  const rolesByName = new Map<string, CompiledRole>();
  (r.optList(top, 'roles', base) ?? []).forEach((rawRole, i) => {
    const path = joinPath(joinPath(base, 'roles'), i);
    const m = r.mapping(rawRole, path, ['name', 'description', 'rules']);
    const name = readName(r, m, path);
    const first = rolesByName.get(name);
    if (first !== undefined) r.fail(joinPath(path, 'name'), `role "${name}" is defined twice (first at ${joinPath(joinPath(base, 'roles'), first.index)})`);
    const rawRules = r.optList(m, 'rules', path) ?? r.fail(joinPath(path, 'rules'), 'is required');
    if (rawRules.length === 0) r.fail(joinPath(path, 'rules'), 'must not be empty');
    const rules = rawRules.map((rule, k) => compileRule(r, rule, joinPath(joinPath(path, 'rules'), k), { matchAllByDefault: false }));
    const role: CompiledRole = { index: i, name, rules };
    roles.push(role);
    rolesByName.set(name, role);
  });

  const bindings = (r.optList(top, 'bindings', base) ?? []).map((rawBinding, i) =>
    compileBinding(r, rawBinding, joinPath(joinPath(base, 'bindings'), i), i, rolesByName));

  const guardrailNames = new Map<string, number>();
  const guardrails = (r.optList(top, 'guardrails', base) ?? []).map((rawGuardrail, i) => {
    const g = compileGuardrail(r, rawGuardrail, joinPath(joinPath(base, 'guardrails'), i), i);
    const first = guardrailNames.get(g.name);
    if (first !== undefined) r.fail(joinPath(joinPath(joinPath(base, 'guardrails'), i), 'name'), `guardrail "${g.name}" is defined twice (first at guardrails[${first}])`);
    guardrailNames.set(g.name, i);
    return g;
  });

  const defaultsPath = joinPath(base, 'defaults');
  const defaults = top.defaults === undefined || top.defaults === null ? {} : r.mapping(top.defaults, defaultsPath, ['discovery']);
  const discovery = r.optBool(defaults, 'discovery', defaultsPath) ?? true;
  const masking = compileMasking(r, top.masking, joinPath(base, 'masking'), rolesByName);
  return { roles, rolesByName, bindings, guardrails, discovery, masking };
}

function readName(r: PolicyReader, m: Record<string, unknown>, path: string): string {
  const name = r.string(m, 'name', path);
  if (!NAME.test(name)) r.fail(joinPath(path, 'name'), `${JSON.stringify(name)} must be lower-case letters, digits, '-', '.' or '_'`);
  return name;
}

function compileBinding(r: PolicyReader, raw: unknown, path: string, index: number, rolesByName: ReadonlyMap<string, CompiledRole>): CompiledBinding {
  const m = r.mapping(raw, path, ['description', 'users', 'groups', 'connections', 'roles', 'approval', 'approvers', 'minApprovals', 'maxTtl']);
  const users = r.optPatterns(m, 'users', path, false);
  const groups = r.optPatterns(m, 'groups', path, false);
  if (users === undefined && groups === undefined) r.fail(path, 'needs groups or users (whom the binding applies to)');
  const connections = r.optPatterns(m, 'connections', path, false) ?? r.fail(joinPath(path, 'connections'), 'is required (names, or ["*"])');
  const roleNames = r.optStrings(m, 'roles', path, true) ?? r.fail(joinPath(path, 'roles'), 'is required');
  roleNames.forEach((name, k) => {
    if (!rolesByName.has(name)) {
      const known = [...rolesByName.keys()].join(', ') || 'none';
      r.fail(joinPath(joinPath(path, 'roles'), k), `role ${JSON.stringify(name)} is not defined (roles: ${known})`);
    }
  });
  const approval = r.optBool(m, 'approval', path) ?? false;
  const { approvers, minApprovals } = readApprovers(r, m, path, approval);
  const binding: CompiledBinding = {
    index,
    users: users === undefined ? compilePatterns([]) : compilePatterns(users),
    groups: groups === undefined ? compilePatterns([]) : compilePatterns(groups),
    connections: compilePatterns(connections),
    roles: roleNames,
    approval,
    approvers,
    minApprovals,
  };
  const ttlText = r.optString(m, 'maxTtl', path);
  if (ttlText !== undefined) {
    let seconds: number;
    try {
      seconds = parseDuration(ttlText);
    } catch (e) {
      return r.fail(joinPath(path, 'maxTtl'), (e as Error).message, e);
    }
    if (seconds < MIN_SESSION_TTL_SECONDS) r.fail(joinPath(path, 'maxTtl'), `must be at least 1m (sessions are never shorter)`);
    binding.maxTtlSeconds = seconds;
  }
  return binding;
}

function compileGuardrail(r: PolicyReader, raw: unknown, path: string, index: number): CompiledGuardrail {
  const m = r.mapping(raw, path, ['name', 'description', 'connections', 'match', 'effect', 'message', 'approvers', 'minApprovals']);
  const name = readName(r, m, path);
  const connections: PatternSet = compilePatternsOrAny(r.optPatterns(m, 'connections', path, false));
  if (m.match === undefined || m.match === null) r.fail(joinPath(path, 'match'), 'is required');
  const match = compileRule(r, m.match, joinPath(path, 'match'), { matchAllByDefault: true });
  const effect = r.string(m, 'effect', path);
  if (effect !== 'deny' && effect !== 'approval') r.fail(joinPath(path, 'effect'), `${JSON.stringify(effect)} is not one of: deny, approval`);
  const { approvers, minApprovals } = readApprovers(r, m, path, effect === 'approval');
  const message = r.optString(m, 'message', path);
  const g: CompiledGuardrail = { index, name, connections, match, effect, approvers, minApprovals };
  if (message !== undefined && message !== '') g.message = message;
  return g;
}

/** `approvers` are required exactly when approval is asked for; they are group names, not patterns. */
function readApprovers(r: PolicyReader, m: Record<string, unknown>, path: string, approval: boolean): { approvers: string[]; minApprovals: number } {
  const approvers = r.optStrings(m, 'approvers', path, true);
  const minApprovals = r.optInt(m, 'minApprovals', path, 1);
  if (!approval) {
    if (approvers !== undefined) r.fail(joinPath(path, 'approvers'), 'only goes with approval (no approval is asked for here)');
    if (minApprovals !== undefined) r.fail(joinPath(path, 'minApprovals'), 'only goes with approval');
    return { approvers: [], minApprovals: 0 };
  }
  if (approvers === undefined) r.fail(joinPath(path, 'approvers'), 'is required when approval is asked for (the groups that may approve)');
  approvers.forEach((g, i) => {
    if (g === '' || g.includes('*') || /\s/.test(g)) r.fail(joinPath(joinPath(path, 'approvers'), i), `${JSON.stringify(g)} must be a group name (no patterns)`);
    // The gateway refuses every IdP login that carries a system: group, so nobody could ever approve.
    if (g.toLowerCase().startsWith('system:')) {
      r.fail(joinPath(joinPath(path, 'approvers'), i), `${JSON.stringify(g)} can never approve: logins with system: groups are refused by the gateway`);
    }
    const first = approvers.indexOf(g);
    if (first !== i) r.fail(joinPath(joinPath(path, 'approvers'), i), `${JSON.stringify(g)} is listed twice`);
  });
  return { approvers, minApprovals: minApprovals ?? 1 };
}

function compilePatternsOrAny(patterns: string[] | undefined): PatternSet {
  return patterns === undefined ? MATCH_ANY : compilePatterns(patterns);
}
