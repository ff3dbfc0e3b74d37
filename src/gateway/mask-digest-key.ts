/**
 * The key of the digests masked values carry (src/mask/value-digest.ts): 256 random bits made on
 * first start and kept in the store next to the signing keys, so every replica marks a value alike
 * and markers stay stable across restarts. It never leaves the gateway.
 */
import type { Clock } from '../clock.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { createValueDigest, MIN_DIGEST_KEY_BYTES, withValueDigest } from '../mask/value-digest.js';
import type { Store } from '../store/store.js';
import type { GatewayConfig } from './config.js';

/** `alg` of the store record holding the key (the signing-key table; JWKS lists only ES256 keys). */
export const MASK_DIGEST_ALG = 'HMAC-SHA256/mask-digest';

/** Loads the digest key from the store, creating it when there is none; every replica settles on the oldest. */
export async function loadMaskDigestKey(store: Store, options: { now: Clock }): Promise<Uint8Array> {
  const read = async (): Promise<Uint8Array | undefined> => {
    const records = (await store.getSigningKeys()).filter((k) => k.alg === MASK_DIGEST_ALG);
    const oldest = [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.kid.localeCompare(b.kid))[0];
    if (oldest === undefined) return undefined;
    const key = Buffer.from((JSON.parse(oldest.privateJwk) as { k: string }).k, 'base64url');
    if (key.length < MIN_DIGEST_KEY_BYTES) throw new Error(`the stored masking digest key ${oldest.kid} is shorter than ${MIN_DIGEST_KEY_BYTES} bytes`);
    return key;
  };
  const found = await read();
  if (found !== undefined) return found;
  const k = randomBytes(MIN_DIGEST_KEY_BYTES).toString('base64url');
  await store.putSigningKey({
    kid: `mask-digest-${randomUUID()}`,
    alg: MASK_DIGEST_ALG,
    privateJwk: JSON.stringify({ kty: 'oct', k }),
    publicJwk: '{}',
    createdAt: new Date(options.now()).toISOString(),
  });
  // Re-read: replicas that raced all pick the oldest record.
  const key = await read();
  if (key === undefined) throw new Error('the masking digest key was stored but cannot be read back');
  return key;
}

/** The configuration with masked values carrying digests under `key`. */
export function withMaskDigest(config: GatewayConfig, key: Uint8Array): GatewayConfig {
  const { policy } = config;
  return { ...config, policy: { ...policy, masking: { ...policy.masking, rules: withValueDigest(policy.masking.rules, createValueDigest(key)) } } };
}
