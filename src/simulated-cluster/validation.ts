// The few validations that kubectl users hit first, with kube-apiserver's exact messages
// (fixtures 52 and 58): object names, a Deployment's replicas and selector, Pod containers.
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { invalid, type StatusCause } from './status.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

// Kinds whose names must be DNS labels rather than subdomains.
const LABEL_NAMED = new Set(['Namespace', 'Service']);

function goMap(m: Record<string, string>): string {
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function nameCauses(spec: ResourceSpec, name: string): StatusCause[] {
  if (!name) return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }];
  const labelOnly = LABEL_NAMED.has(spec.kind);
  const ok = labelOnly ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${labelOnly ? LABEL_MSG : SUBDOMAIN_MSG}`, field: 'metadata.name' }];
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function workloadCauses(o: KubeObject): StatusCause[] {
  const spec = (o['spec'] ?? {}) as {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { metadata?: { labels?: Record<string, string> } };
  };
  const causes: StatusCause[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`, field: 'spec.replicas' });
  }
  const match = spec.selector?.matchLabels;
  const labels = spec.template?.metadata?.labels ?? {};
  if (!spec.selector) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' });
  } else if (match && !selectorMatches(match, labels)) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      field: 'spec.template.metadata.labels',
    });
  }
  return causes;
}

function podCauses(o: KubeObject): StatusCause[] {
  const containers = ((o['spec'] ?? {}) as { containers?: { name?: string; image?: string }[] }).containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }];
  }
  const causes: StatusCause[] = [];
  containers.forEach((c, i) => {
    if (!c.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `spec.containers[${i}].name` });
    if (!c.image) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `spec.containers[${i}].image` });
  });
  return causes;
}

/** Throws a 422 Invalid ApiError when the object would be refused by kube-apiserver's validation. */
export function validateObject(spec: ResourceSpec, o: KubeObject): void {
  const causes = nameCauses(spec, o.metadata.name);
  if (spec.kind === 'Deployment' || spec.kind === 'ReplicaSet' || spec.kind === 'StatefulSet' || spec.kind === 'DaemonSet') causes.push(...workloadCauses(o));
  if (spec.kind === 'Pod') causes.push(...podCauses(o));
  if (causes.length > 0) throw invalid(spec, o.metadata.name, causes);
}
