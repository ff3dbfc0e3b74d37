/** Reads a policy for the offline `hoopctl policy` commands: a full gateway config (its `policy:`) or a bare policy file. */
import { configInvalid, isMapping, parseYamlText, type YamlFile } from '../config-reader.js';
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

const POLICY_KEYS = ['roles', 'bindings', 'guardrails', 'defaults', 'masking'];

/** Reads and parses `file`: its top-level mapping, and whether it is a whole gateway config (it has `policy:`). */
export async function readPolicyDocument(
  deps: PolicyFileDeps,
  file: string,
): Promise<{ top: Record<string, unknown>; isGatewayConfig: boolean; yaml: YamlFile }> {
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new HoopError('config_invalid', `${file}: cannot read (${code ?? (cause as Error).message})`, { cause });
  }
  const doc = parseYamlText(text);
  if (!doc.ok) throw configInvalid(file, doc.issues);
  const top = doc.data.value;
  if (!isMapping(top)) throw new HoopError('config_invalid', `${file}: expected a gateway config or a policy file (a mapping)`);
  if ('policy' in top) return { top, isGatewayConfig: true, yaml: doc.data };
  if (!POLICY_KEYS.some((k) => k in top)) {
    throw new HoopError('config_invalid', `${file}: neither a gateway config with "policy:" nor a policy file (roles, bindings, guardrails)`);
  }
  return { top, isGatewayConfig: false, yaml: doc.data };
}

/** Reads, parses and compiles `file`'s policy; throws HoopError('config_invalid') naming the file (and each path inside it). */
export async function loadPolicyFile(deps: PolicyFileDeps, file: string): Promise<LoadedPolicy> {
  const { top, isGatewayConfig } = await readPolicyDocument(deps, file);
  if (isGatewayConfig) return { policy: compilePolicy(top.policy, { file, basePath: 'policy' }), basePath: 'policy' };
  return { policy: compilePolicy(top, { file, basePath: '' }), basePath: '' };
}
