/**
 * The body of a single-command review as its approvers see it (console request page, `GET /v1/requests/:id`):
 * the masked form the audit records, kept on the review's own `request.created` audit event — found by the
 * review's id, so two reviews of the same URI with different bodies each show their own.
 */
import type { AuditEvent } from '../../audit/audit-event.js';
import type { Store } from '../../store/store.js';

/** What is known of a review's body: its masked form (`null`: the request had none), or not recorded (`undefined`). */
export type ReviewedBody = { value: unknown } | undefined;

// The created event is appended right after the request row, so it is among the first events of the session from
// the request's creation on; later traffic of the session (however much) cannot push it out of this window.
const WINDOW = 200;

/** The `request.created` audit event of review `r` carries its body; undefined when it carries none (a review made before bodies were kept). */
export async function reviewedBody(
  store: Pick<Store, 'listAudit'>,
  r: { id: string; kind: string; sessionId?: string | null; createdAt: string },
): Promise<ReviewedBody> {
  if (r.kind !== 'command' || r.sessionId === undefined || r.sessionId === null) return undefined;
  const events = await store.listAudit({ session: r.sessionId, since: r.createdAt, afterSeq: 0, limit: WINDOW });
  const created = events.find((e: AuditEvent) => e.stage === 'AccessRequest' && e.verb === 'created' && e.requestURI === `/v1/requests/${r.id}`);
  return created === undefined || !('requestObject' in created) ? undefined : { value: created.requestObject };
}
