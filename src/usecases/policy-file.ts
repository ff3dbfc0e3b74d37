/** Reads a policy for the offline `hoopctl policy` commands: a full gateway config (its `policy:`) or a bare policy file. */
import { parse } from 'yaml';
import { HoopError } from '../errors.js';
import { compilePolicy, type CompiledPolicy } from '../policy/compile-policy.js';

/** File access the policy commands need; tests pass an in-memory map. */
export interface PolicyFileDeps {
  readFile: (path: string) => Promise<string>;
}

/** A compiled policy and where it sat in the file. */
export interface LoadedPolicy {
  policy: CompiledPolicy;
  /** Where the policy sits in the file: 'policy' in a gateway config, '' in a bare policy file. */
  basePath: string;
}

const POLICY_KEYS = ['roles', 'bindings', 'guardrails', 'defaults'];

/** Reads, parses and compiles `file`; throws HoopError('config_invalid') naming the file (and the path inside it). */
export async function loadPolicyFile(deps: PolicyFileDeps, file: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new HoopError('config_invalid', `${file}: cannot read (${code ?? (cause as Error).message})`, { cause });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new HoopError('config_invalid', `${file}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new HoopError('config_invalid', `${file}: expected a gateway config or a policy file (a mapping)`);
  }
  const top = doc as Record<string, unknown>;
  if ('policy' in top) {
    return { policy: compilePolicy(top.policy, { file, basePath: 'policy' }), basePath: 'policy' };
  }
  if (!POLICY_KEYS.some((k) => k in top)) {
    throw new HoopError('config_invalid', `${file}: neither a gateway config with "policy:" nor a policy file (roles, bindings, guardrails)`);
  }
  return { policy: compilePolicy(top, { file, basePath: '' }), basePath: '' };
}
