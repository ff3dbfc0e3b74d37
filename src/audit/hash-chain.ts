/**
 * The audit hash chain: event N carries `seq` = N, `prevHash` = hash of event N-1 (GENESIS_HASH for
 * the first), and `hash` = SHA-256 of its own canonical JSON without `hash`. Editing, deleting or
 * reordering a stored event breaks the chain at that point; the store appends under a lock so the
 * chain never forks.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit-event.js';
import { canonicalJson } from './canonical-json.js';

/** `prevHash` of the first chained event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The tail of a chain: what the next event links to. */
export interface ChainLink {
  seq: number;
  hash: string;
}

/** The hash an event must carry: SHA-256 (hex) of its canonical JSON without the `hash` member. */
export function eventHash(event: AuditEvent): string {
  const { hash: _omitted, ...rest } = event;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/**
 * A copy of `event` linked after the stored tail `prev`: undefined for an empty store; a tail
 * without a hash (written before the chain existed) starts the chain at GENESIS_HASH.
 */
export function chainEvent(event: AuditEvent, prev: { seq: number; hash: string | undefined } | undefined): AuditEvent {
  const { seq: _s, prevHash: _p, hash: _h, ...body } = event;
  const linked: AuditEvent = { ...body, seq: (prev?.seq ?? 0) + 1, prevHash: prev?.hash ?? GENESIS_HASH };
  return { ...linked, hash: eventHash(linked) };
}
