/** `hoopctl policy check FILE`: compile the policy offline, as the gateway would at start. */
import { loadPolicyFile, type PolicyFileDeps } from './policy-file.js';

/** What a valid policy declares. */
export interface PolicyCheckSummary {
  roles: number;
  bindings: number;
  guardrails: number;
}

/** Validates `file` (gateway config with `policy:` or bare policy); throws the compile error (HoopError 'config_invalid'). */
export async function checkPolicyFile(deps: PolicyFileDeps, file: string): Promise<PolicyCheckSummary> {
  const { policy } = await loadPolicyFile(deps, file);
  return { roles: policy.roles.length, bindings: policy.bindings.length, guardrails: policy.guardrails.length };
}
