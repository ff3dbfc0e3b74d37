/** `hoopctl policy check FILE`: validate offline what the gateway would at start (the whole config, or a bare policy). */
import { loadGatewayConfig } from '../gateway/config.js';
import { configInvalid, inFileOrder } from '../config-reader.js';
import { checkPolicy, compileCheckedPolicy, type CompiledPolicy } from '../policy/compile-policy.js';
import { readPolicyDocument, type PolicyFileDeps } from './policy-file.js';

/** What a valid policy declares. */
export interface PolicyCheckSummary {
  roles: number;
  bindings: number;
  guardrails: number;
  /** True when the file is a gateway config and all of it was checked (connections, issuers, files it names, …). */
  wholeConfig: boolean;
}

/**
 * Validates `file`; throws HoopError('config_invalid') with every mistake, one `<file>: <path>: <reason>` line each.
 * A gateway config is checked by the very loader `gateway serve` uses (every section, the policy, the kubeconfigs and
 * files it names, `env` for secrets from the environment), so a config this passes is one serve accepts up to opening
 * the store and listening.
 */
export async function checkPolicyFile(deps: PolicyFileDeps & { env?: Record<string, string | undefined> }, file: string): Promise<PolicyCheckSummary> {
  const { top, isGatewayConfig, yaml } = await readPolicyDocument(deps, file);
  let policy: CompiledPolicy;
  if (isGatewayConfig) {
    policy = (await loadGatewayConfig(file, { readFile: deps.readFile, env: deps.env ?? {} })).policy;
  } else {
    const checked = checkPolicy(top, []);
    if (!checked.ok) throw configInvalid(file, inFileOrder(checked.issues, yaml));
    policy = compileCheckedPolicy(checked.data, []);
  }
  return { roles: policy.roles.length, bindings: policy.bindings.length, guardrails: policy.guardrails.length, wholeConfig: isGatewayConfig };
}
