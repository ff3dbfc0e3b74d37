// What the scheduler and kubelet would write on a pod: node binding and a Running status with
// ready containers. Used by the seed and by the controllers when the simulated cluster has nodes.
import { createHash } from 'node:crypto';
import { kubeTime, type KubeObject } from './object-store.js';

let nextPodIp = 10;

function fakeDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** The InternalIP of a Node object, or a placeholder. */
function nodeInternalIp(node: KubeObject | undefined): string {
  const addresses = (node?.['status'] as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
}

/** A pod bound to `node` and running with all containers ready since `startedAt`. */
export function runningPod(pod: KubeObject, node: KubeObject, startedAt: Date): KubeObject {
  const spec = (pod['spec'] ?? {}) as { containers?: { name: string; image: string }[] };
  const started = kubeTime(startedAt);
  const hostIP = nodeInternalIp(node);
  const n = nextPodIp++;
  const podIP = `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: started });
  return {
    ...pod,
    spec: { ...spec, nodeName: node.metadata.name },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: started,
      containerStatuses: (spec.containers ?? []).map((c) => ({
        name: c.name,
        state: { running: { startedAt: started } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: c.image,
        imageID: `${c.image.split(':')[0]}@sha256:${fakeDigest(c.image)}`,
        containerID: `containerd://${fakeDigest(`${pod.metadata.namespace}/${pod.metadata.name}/${c.name}`)}`,
        started: true,
      })),
      qosClass: 'BestEffort',
    },
  };
}

/** True when the pod still waits for a node (no nodeName, not being deleted). */
export function isUnscheduled(pod: KubeObject): boolean {
  return !(pod['spec'] as { nodeName?: string } | undefined)?.nodeName && !pod.metadata.deletionTimestamp;
}
