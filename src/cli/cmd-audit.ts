/** `hoopctl audit`: audit events from the gateway (own events; all for admins). */
import type { AuditEvent } from '../audit/audit-event.js';
import { parseDuration } from '../credential/duration.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';

/** Renders audit events as aligned text lines (no token or body ever appears in an event). */
export function formatAuditLines(events: AuditEvent[]): string[] {
  return events.map((e) => {
    const what = e.resource === null
      ? e.requestURI
      : `${e.resource}${e.subresource ? `/${e.subresource}` : ''}${e.name ? ` ${e.name}` : ''}${e.namespace ? ` -n ${e.namespace}` : ''}`;
    const status = e.responseStatus === null ? '-' : String(e.responseStatus);
    const rule = e.rule === null ? '' : ` (${e.rule})`;
    return `${e.time}  ${(e.user ?? '-').padEnd(20)} ${(e.connection ?? '-').padEnd(8)} ${e.decision.padEnd(8)} ${status.padEnd(4)} ${e.verb.padEnd(8)} ${what}${rule}`;
  });
}

/** Prints the audit events the caller may see. */
export async function runAudit(ctx: CliContext, opts: Record<string, string>): Promise<void> {
  const deps = await createIdentityDeps(ctx);
  const { idToken, gateway } = await freshIdToken(deps);
  const q = new URLSearchParams();
  if (opts.session !== undefined) q.set('session', opts.session);
  if (opts.user !== undefined) q.set('user', opts.user);
  if (opts.since !== undefined) q.set('since', new Date(Date.now() - parseDuration(opts.since) * 1000).toISOString());
  if (opts.limit !== undefined) q.set('limit', opts.limit);
  const client = createGatewayClient({ baseUrl: gateway });
  const r = await client.getJson<{ items: AuditEvent[] }>(idToken, `/v1/audit?${q.toString()}`);
  if (opts.output === 'json') {
    for (const e of r.items) ctx.out.stdout.write(`${JSON.stringify(e)}\n`);
    return;
  }
  for (const line of formatAuditLines(r.items)) ctx.out.stdout.write(`${line}\n`);
}
