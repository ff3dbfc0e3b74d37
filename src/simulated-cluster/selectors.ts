// Label and field selectors as kube-apiserver parses them (k8s.io/apimachinery/pkg/labels and
// pkg/fields): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`.
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { badRequest } from './status.js';

/** A compiled selector: true when the object matches. */
export type Selector = (object: KubeObject) => boolean;

const matchAll: Selector = () => true;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

type LabelTest = (labels: Record<string, string>) => boolean;

function parseRequirement(req: string): LabelTest {
  let m = /^!\s*([^\s=!<>(),]+)$/.exec(req);
  if (m) {
    const key = m[1]!;
    return (l) => !(key in l);
  }
  m = /^([^\s=!<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
  if (m) {
    const key = m[1]!;
    const values = new Set(m[3]!.split(',').map((v) => v.trim()));
    return m[2] === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  m = /^([^\s=!<>(),]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/.exec(req);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    switch (op) {
      case '!=':
        return (l) => l[key] !== value;
      case '>':
        return (l) => key in l && Number(l[key]) > Number(value);
      case '<':
        return (l) => key in l && Number(l[key]) < Number(value);
      default:
        return (l) => l[key] === value;
    }
  }
  m = /^([^\s=!<>(),]+)$/.exec(req);
  if (m) {
    const key = m[1]!;
    return (l) => key in l;
  }
  throw badRequest(`unable to parse requirement: ${req}`);
}

/** Compiles a `labelSelector` query value; throws a 400 ApiError when it does not parse. */
export function parseLabelSelector(selector: string | null): Selector {
  if (!selector || selector.trim() === '') return matchAll;
  const tests = splitTopLevel(selector).map(parseRequirement);
  return (o) => {
    const labels = o.metadata.labels ?? {};
    return tests.every((t) => t(labels));
  };
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
const EXTRA_FIELDS: Record<string, readonly string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.nominatedNodeName',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  secrets: ['type'],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
};

function fieldValue(o: KubeObject, path: string): string {
  if (path === 'source') return String((o['source'] as { component?: string } | undefined)?.component ?? '');
  let cur: unknown = o;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : '';
  return String(cur);
}

/** Compiles a `fieldSelector` for a resource; unsupported fields are a 400 like the real server's. */
export function parseFieldSelector(spec: ResourceSpec, selector: string | null): Selector {
  if (!selector || selector.trim() === '') return matchAll;
  const allowed = new Set([...COMMON_FIELDS, ...(EXTRA_FIELDS[spec.resource] ?? [])]);
  const tests = splitTopLevel(selector).map((req): Selector => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) throw badRequest(`invalid field selector: ${req}`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    return op === '!=' ? (o) => fieldValue(o, field) !== value : (o) => fieldValue(o, field) === value;
  });
  return (o) => tests.every((t) => t(o));
}
