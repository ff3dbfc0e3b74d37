// Row cells per resource, following kube-apiserver's printers (pkg/printers/internalversion):
// same column order, `<none>` placeholders, integer cells where the real ones are integers.
import type { KubeObject } from './object-store.js';

type Obj = Record<string, any>;
type Cell = string | number | boolean;

/** Go's duration.HumanDuration, which kubectl's AGE columns show. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  return humanDuration(now - Date.parse(ts));
}

const none = (s: unknown): string => (typeof s === 'string' && s !== '' ? s : '<none>');

function labelString(m: unknown): string {
  const entries = Object.entries((m ?? {}) as Record<string, string>);
  return entries.length === 0
    ? '<none>'
    : entries
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
}

function selectorString(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts = Object.entries((sel['matchLabels'] ?? {}) as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of (sel['matchExpressions'] ?? []) as Obj[]) {
    const op = String(e['operator']).toLowerCase();
    parts.push(op === 'exists' ? e['key'] : op === 'doesnotexist' ? `!${e['key']}` : `${e['key']} ${op} (${(e['values'] ?? []).join(',')})`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

function templateCells(template: Obj | undefined): [string, string] {
  const containers = (template?.['spec']?.['containers'] ?? []) as Obj[];
  return [containers.map((c) => c['name']).join(','), containers.map((c) => c['image']).join(',')];
}

function podCells(o: Obj, now: number): Cell[] {
  const spec = o['spec'] ?? {};
  const status = o['status'] ?? {};
  const containers = (spec['containers'] ?? []) as Obj[];
  const statuses = (status['containerStatuses'] ?? []) as Obj[];
  let reason: string = status['reason'] ?? status['phase'] ?? 'Unknown';
  let restarts = 0;
  for (const cs of statuses) {
    restarts += Number(cs['restartCount'] ?? 0);
    const waiting = cs['state']?.['waiting']?.['reason'];
    const terminated = cs['state']?.['terminated']?.['reason'];
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated;
  }
  if (o['metadata']?.['deletionTimestamp']) reason = 'Terminating';
  const ready = statuses.filter((s) => s['ready']).length;
  const gates = (spec['readinessGates'] ?? []) as unknown[];
  return [
    o['metadata']['name'],
    `${ready}/${containers.length}`,
    reason,
    String(restarts),
    since(o['metadata']['creationTimestamp'], now),
    none(status['podIP']),
    none(spec['nodeName']),
    none(status['nominatedNodeName']),
    gates.length === 0 ? '<none>' : `0/${gates.length}`,
  ];
}

function servicePorts(ports: Obj[] | undefined): string {
  if (!ports || ports.length === 0) return '<none>';
  return ports.map((p) => (p['nodePort'] ? `${p['port']}:${p['nodePort']}/${p['protocol'] ?? 'TCP'}` : `${p['port']}/${p['protocol'] ?? 'TCP'}`)).join(',');
}

function serviceExternalIp(o: Obj): string {
  const spec = o['spec'] ?? {};
  const external = (spec['externalIPs'] ?? []) as string[];
  if (spec['type'] === 'LoadBalancer') {
    const ingress = ((o['status']?.['loadBalancer']?.['ingress'] ?? []) as Obj[]).map((i) => i['ip'] ?? i['hostname']);
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  if (spec['type'] === 'ExternalName') return spec['externalName'] ?? '<none>';
  return external.length > 0 ? external.join(',') : '<none>';
}

function nodeCells(o: Obj, now: number): Cell[] {
  const conditions = (o['status']?.['conditions'] ?? []) as Obj[];
  const ready = conditions.find((c) => c['type'] === 'Ready');
  let status = ready?.['status'] === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  if (o['spec']?.['unschedulable']) status += ',SchedulingDisabled';
  const roles = Object.keys(o['metadata']['labels'] ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  const addresses = (o['status']?.['addresses'] ?? []) as Obj[];
  const addr = (t: string) => none(addresses.find((a) => a['type'] === t)?.['address']);
  const info = o['status']?.['nodeInfo'] ?? {};
  return [
    o['metadata']['name'],
    status,
    roles.length > 0 ? roles.join(',') : '<none>',
    since(o['metadata']['creationTimestamp'], now),
    info['kubeletVersion'] ?? '',
    addr('InternalIP'),
    addr('ExternalIP'),
    none(info['osImage']),
    none(info['kernelVersion']),
    none(info['containerRuntimeVersion']),
  ];
}

function jobStatus(status: Obj, spec: Obj): string {
  const conds = (status['conditions'] ?? []) as Obj[];
  const has = (t: string) => conds.some((c) => c['type'] === t && c['status'] === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (spec['suspend']) return 'Suspended';
  return 'Running';
}

function jobDuration(status: Obj, now: number): string {
  if (!status['startTime']) return '';
  const end = status['completionTime'] ? Date.parse(status['completionTime']) : now;
  return humanDuration(end - Date.parse(status['startTime']));
}

function bindingCells(o: Obj, now: number): Cell[] {
  const subjects = (o['subjects'] ?? []) as Obj[];
  const of = (kind: string) =>
    subjects
      .filter((s) => s['kind'] === kind)
      .map((s) => (kind === 'ServiceAccount' ? `${s['namespace'] ?? ''}/${s['name']}` : s['name']))
      .join(', ');
  return [
    o['metadata']['name'],
    `${o['roleRef']?.['kind']}/${o['roleRef']?.['name']}`,
    since(o['metadata']['creationTimestamp'], now),
    of('User'),
    of('Group'),
    of('ServiceAccount'),
  ];
}

type Printer = (o: Obj, now: number) => Cell[];

const PRINTERS: Record<string, Printer> = {
  pods: podCells,
  nodes: nodeCells,
  namespaces: (o, now) => [o['metadata']['name'], o['status']?.['phase'] ?? '', since(o['metadata']['creationTimestamp'], now)],
  secrets: (o, now) => [o['metadata']['name'], o['type'] ?? '', Object.keys(o['data'] ?? {}).length, since(o['metadata']['creationTimestamp'], now)],
  configmaps: (o, now) => [
    o['metadata']['name'],
    Object.keys(o['data'] ?? {}).length + Object.keys(o['binaryData'] ?? {}).length,
    since(o['metadata']['creationTimestamp'], now),
  ],
  services: (o, now) => [
    o['metadata']['name'],
    o['spec']?.['type'] ?? 'ClusterIP',
    none(o['spec']?.['clusterIP']),
    serviceExternalIp(o),
    servicePorts(o['spec']?.['ports']),
    since(o['metadata']['creationTimestamp'], now),
    labelString(o['spec']?.['selector']),
  ],
  serviceaccounts: (o, now) => [o['metadata']['name'], (o['secrets'] ?? []).length, since(o['metadata']['creationTimestamp'], now)],
  events: (o, now) => {
    const last = o['lastTimestamp'] ?? o['eventTime'] ?? o['metadata']['creationTimestamp'];
    const first = o['firstTimestamp'] ?? o['eventTime'] ?? o['metadata']['creationTimestamp'];
    const src = o['source'] ?? {};
    const io = o['involvedObject'] ?? {};
    return [
      since(last, now),
      o['type'] ?? '',
      o['reason'] ?? '',
      `${String(io['kind'] ?? '').toLowerCase()}/${io['name'] ?? ''}`,
      io['fieldPath'] ?? '',
      [src['component'], src['host']].filter(Boolean).join(', '),
      o['message'] ?? '',
      since(first, now),
      String(o['count'] ?? 1),
      o['metadata']['name'],
    ];
  },
  deployments: (o, now) => {
    const s = o['status'] ?? {};
    return [
      o['metadata']['name'],
      `${s['readyReplicas'] ?? 0}/${o['spec']?.['replicas'] ?? 0}`,
      s['updatedReplicas'] ?? 0,
      s['availableReplicas'] ?? 0,
      since(o['metadata']['creationTimestamp'], now),
      ...templateCells(o['spec']?.['template']),
      selectorString(o['spec']?.['selector']),
    ];
  },
  replicasets: (o, now) => {
    const s = o['status'] ?? {};
    return [
      o['metadata']['name'],
      o['spec']?.['replicas'] ?? 0,
      s['replicas'] ?? 0,
      s['readyReplicas'] ?? 0,
      since(o['metadata']['creationTimestamp'], now),
      ...templateCells(o['spec']?.['template']),
      selectorString(o['spec']?.['selector']),
    ];
  },
  statefulsets: (o, now) => [
    o['metadata']['name'],
    `${o['status']?.['readyReplicas'] ?? 0}/${o['spec']?.['replicas'] ?? 0}`,
    since(o['metadata']['creationTimestamp'], now),
    ...templateCells(o['spec']?.['template']),
  ],
  daemonsets: (o, now) => {
    const s = o['status'] ?? {};
    return [
      o['metadata']['name'],
      s['desiredNumberScheduled'] ?? 0,
      s['currentNumberScheduled'] ?? 0,
      s['numberReady'] ?? 0,
      s['updatedNumberScheduled'] ?? 0,
      s['numberAvailable'] ?? 0,
      labelString(o['spec']?.['template']?.['spec']?.['nodeSelector']),
      since(o['metadata']['creationTimestamp'], now),
      ...templateCells(o['spec']?.['template']),
      selectorString(o['spec']?.['selector']),
    ];
  },
  jobs: (o, now) => {
    const s = o['status'] ?? {};
    return [
      o['metadata']['name'],
      jobStatus(s, o['spec'] ?? {}),
      `${s['succeeded'] ?? 0}/${o['spec']?.['completions'] ?? 1}`,
      jobDuration(s, now),
      since(o['metadata']['creationTimestamp'], now),
      ...templateCells(o['spec']?.['template']),
      selectorString(o['spec']?.['selector']),
    ];
  },
  cronjobs: (o, now) => {
    const s = o['status'] ?? {};
    const jt = o['spec']?.['jobTemplate']?.['spec'] ?? {};
    return [
      o['metadata']['name'],
      o['spec']?.['schedule'] ?? '',
      none(o['spec']?.['timeZone']),
      Boolean(o['spec']?.['suspend']),
      (s['active'] ?? []).length,
      s['lastScheduleTime'] ? since(s['lastScheduleTime'], now) : '<none>',
      since(o['metadata']['creationTimestamp'], now),
      ...templateCells(jt['template']),
      selectorString(jt['selector']),
    ];
  },
  rolebindings: bindingCells,
  clusterrolebindings: bindingCells,
};

/** Row cells of one object; resources without a printer get Name and Created At. */
export function rowCells(resource: string, o: KubeObject, now: number): Cell[] {
  const printer = PRINTERS[resource];
  if (printer) return printer(o as Obj, now);
  return [o.metadata.name, o.metadata.creationTimestamp ?? ''];
}
