/** The gateway's own ES256 signing key: generated on first start, kept in the store, published as JWKS. */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { SigningKeyRecord, Store } from '../store/store.js';

/** Signing key material of a running gateway. */
export interface SigningKeys {
  /** The key new session tokens are signed with. */
  readonly current: { kid: string; alg: 'ES256'; privateKey: CryptoKey };
  /** Public keys of every stored key (`/.well-known/jwks.json`). */
  jwks(): JSONWebKeySet;
  /** The public key with this kid; re-reads the store (rate-limited) for a kid another replica added. */
  publicKey(kid: string): Promise<CryptoKey | undefined>;
}

const ALG = 'ES256';
const RELOAD_INTERVAL_MS = 10_000;

async function generate(nowIso: string): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const tag = { kid, alg: ALG, use: 'sig' };
  return {
    kid, alg: ALG, privateJwk: JSON.stringify({ ...privateJwk, ...tag }), publicJwk: JSON.stringify({ ...publicJwk, ...tag }), createdAt: nowIso,
  };
}

/** Loads the signing keys from the store, creating the first one when there is none. */
export async function loadSigningKeys(store: Store, options: { now: () => number }): Promise<SigningKeys> {
  let records = (await store.getSigningKeys()).filter((k) => k.alg === ALG);
  if (records.length === 0) {
    await store.putSigningKey(await generate(new Date(options.now()).toISOString()));
    // Re-read: if replicas raced, all of them settle on the oldest key and publish every one.
    records = (await store.getSigningKeys()).filter((k) => k.alg === ALG);
  }
  const chosen = [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.kid.localeCompare(b.kid))[0]!;
  const privateKey = (await importJWK(JSON.parse(chosen.privateJwk) as JWK, ALG)) as CryptoKey;

  let publicJwks = new Map<string, JWK>();
  const publicKeys = new Map<string, CryptoKey>();
  let lastLoad = options.now();
  const setRecords = (rs: SigningKeyRecord[]): void => {
    publicJwks = new Map(rs.filter((r) => r.alg === ALG).map((r) => [r.kid, JSON.parse(r.publicJwk) as JWK]));
  };
  setRecords(records);

  return {
    current: { kid: chosen.kid, alg: ALG, privateKey },
    jwks: () => ({ keys: [...publicJwks.values()] }),
    publicKey: async (kid) => {
      if (!publicJwks.has(kid) && options.now() - lastLoad > RELOAD_INTERVAL_MS) {
        lastLoad = options.now();
        setRecords(await store.getSigningKeys());
      }
      const jwk = publicJwks.get(kid);
      if (jwk === undefined) return undefined;
      let key = publicKeys.get(kid);
      if (key === undefined) {
        key = (await importJWK(jwk, ALG)) as CryptoKey;
        publicKeys.set(kid, key);
      }
      return key;
    },
  };
}
