/** `hoopctl policy explain`: the decision the gateway would make for one request, offline. */
import { HoopError } from '../errors.js';
import { kubectlToRequest } from '../kube/kubectl-request.js';
import { classifyRequest } from '../kube/request-info.js';
import { selfReviewTarget } from '../kube/self-review.js';
import type { RequestInfo } from '../kube/types.js';
import { evaluatePolicy } from '../policy/evaluate-policy.js';
import type { PolicyDecision } from '../policy/types.js';
import { loadPolicyFile, type PolicyFileDeps } from './policy-file.js';

/** Who asks, where, with which session role. */
interface ExplainCommon {
  file: string;
  user: string;
  groups: string[];
  connection: string;
  role?: string;
  /** The namespace the session is limited to (`connect --namespace`, or an approved request's). */
  sessionNamespace?: string;
}

/** A request given as method + path, or as kubectl words (`get pods -n demo`). */
export type ExplainInput = ExplainCommon & ({ method: string; path: string } | { kubectl: string[] });

/** The decision and what it was made on. */
export interface Explanation {
  method: string;
  path: string;
  request: RequestInfo;
  decision: PolicyDecision;
}

/** Classifies the request and evaluates the policy in `input.file`; HoopError 'usage' for a request the gateway would refuse as non-canonical. */
export async function explainRequest(deps: PolicyFileDeps, input: ExplainInput): Promise<Explanation> {
  const { method, path } = 'kubectl' in input ? kubectlToRequest(input.kubectl) : { method: input.method.toUpperCase(), path: input.path };
  const { policy } = await loadPolicyFile(deps, input.file);
  const request = classifyRequest(method, path);
  if ('refused' in request) throw new HoopError('usage', `the gateway refuses ${method} ${path}: ${request.reason}`);
  // The gateway answers auth whoami / can-i itself for every session (src/gateway/pipeline/self-review.ts).
  const review = method === 'POST' ? selfReviewTarget(request) : undefined;
  if (review !== undefined) {
    return {
      method,
      path,
      request,
      decision: { effect: 'allow', rule: 'gateway:self-review', reason: `the gateway answers every ${review.kind} itself, with hoopctl's policy` },
    };
  }
  const decision = evaluatePolicy(policy, {
    subject: { user: input.user, groups: input.groups },
    connection: input.connection,
    ...(input.role === undefined ? {} : { role: input.role }),
    ...(input.sessionNamespace === undefined ? {} : { namespaces: [input.sessionNamespace] }),
    request,
  });
  return { method, path, request, decision };
}
