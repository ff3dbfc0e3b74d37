// The simulated kube-apiserver used by tests, the quickstart's demo cluster and benchmarks.
export { createKubeApiServer } from './server.js';
export type { KubeApiServer, KubeApiServerOptions, RecordedRequest, ServerCounts } from './server.js';
export type { Impersonation } from './authentication.js';
export type { ObjectRef } from './test-controls.js';
export type { KubeObject, ObjectMeta } from './object-store.js';
export type { SeedName } from './seed.js';
export { kubeconfigFor, writeKubeconfig } from './kubeconfig.js';
export type { KubeconfigTarget } from './kubeconfig.js';
export { streamSubresources } from './resource-router.js';
export type { StreamSubresourceHandler } from './resource-router.js';
export { VERSION_INFO } from './health-handlers.js';
