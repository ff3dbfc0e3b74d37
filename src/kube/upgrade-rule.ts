/**
 * Which requests may switch protocols (DESIGN.md invariant 1), shared by the gateway and the local proxy: only
 * exec, attach and portforward on pods. Any other request that carries `Connection: Upgrade` is served as the plain
 * request it is (kube-apiserver ignores the header there: fixtures 102/103), unless it cannot be: a watch asked over
 * WebSocket (its events would need masking inside the framing) or a body node did not parse.
 */
import type { RequestInfo } from './types.js';

const UPGRADABLE_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/** True for the only requests whose connection may switch protocols. */
export function mayUpgrade(info: RequestInfo | undefined): boolean {
  return (
    info !== undefined &&
    info.isResourceRequest &&
    info.apiGroup === '' &&
    info.resource === 'pods' &&
    info.name !== '' &&
    UPGRADABLE_SUBRESOURCES.has(info.subresource)
  );
}

/** What to do with a request that arrived with `Connection: Upgrade`. */
export type UpgradeDecision = { kind: 'upgrade' } | { kind: 'plain' } | { kind: 'refuse'; message: string };

/** Decides for one upgrade request, from its classification, its `Upgrade` value and whether it declares a body. */
export function decideUpgrade(info: RequestInfo | undefined, upgrade: string | undefined, declaresBody: boolean): UpgradeDecision {
  if (mayUpgrade(info)) return { kind: 'upgrade' };
  if (info?.verb === 'watch' && /websocket/i.test(upgrade ?? '')) {
    return {
      kind: 'refuse',
      message:
        'hoopctl does not serve watches over WebSocket (each event would have to be masked inside the WebSocket framing); use an HTTP watch (kubectl get -w, or ?watch=true without Upgrade)',
    };
  }
  if (declaresBody)
    return { kind: 'refuse', message: 'only exec, attach and portforward on pods may switch protocols; send this request without Connection: Upgrade' };
  return { kind: 'plain' };
}
