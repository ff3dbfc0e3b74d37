/**
 * The gateway's ES256 signing keys, kept in the store and published as JWKS. The newest key is current;
 * an older key stays published (and accepted) until every token it can have signed has expired, so a
 * rotation never ends a session; an emergency rotation retires the old keys at once. Replicas re-read the
 * store periodically, so a rotation made anywhere reaches all of them.
 */
import type { Clock } from '../clock.js';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { SigningKeyRecord, Store } from '../store/store.js';

/** Signing key material of a running gateway. */
export interface SigningKeys {
  /** The key new session tokens are signed with (changes when a rotation is picked up). */
  readonly current: { kid: string; alg: 'ES256'; privateKey: CryptoKey };
  /** Public keys still accepted (`/.well-known/jwks.json`). */
  jwks(): JSONWebKeySet;
  /** The public key with this kid while it is accepted; re-reads the store (rate-limited) for a kid another replica added. */
  publicKey(kid: string): Promise<CryptoKey | undefined>;
  /** True while tokens signed with `kid` are accepted (as of the last store read). */
  accepts(kid: string): boolean;
  /** Re-reads the store now (and rotates when the automatic period has passed). */
  reload(): Promise<void>;
  /** Stops the periodic re-read. */
  close(): void;
}

/** Options of loadSigningKeys. */
export interface SigningKeysOptions {
  now: Clock;
  /** Longest life of a token the gateway signs (the largest session maxTtl): how long a replaced key stays accepted. */
  maxTokenLifetimeSeconds: number;
  /** Automatic rotation: a new key once the current one is this old (undefined: only `hoopctl gateway rotate-key`). */
  rotateEverySeconds?: number;
  /** How often the store is re-read (default 10 s); 0 turns the timer off (tests call reload()). */
  reloadIntervalMs?: number;
  log?: (line: string) => void;
}

const ALG = 'ES256';
const DEFAULT_RELOAD_MS = 10_000;
// An unknown kid re-reads the store at most this often, so random kids cannot flood it. A kid met sooner
// waits for that read rather than being refused: a session another replica signed right after a rotation
// is accepted here at once, not after the next periodic read.
const UNKNOWN_KID_RELOAD_MS = 1_000;

async function generate(nowIso: string): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const tag = { kid, alg: ALG, use: 'sig' };
  return {
    kid,
    alg: ALG,
    privateJwk: JSON.stringify({ ...privateJwk, ...tag }),
    publicJwk: JSON.stringify({ ...publicJwk, ...tag }),
    createdAt: nowIso,
  };
}

function byAge(a: SigningKeyRecord, b: SigningKeyRecord): number {
  return a.createdAt.localeCompare(b.createdAt) || a.kid.localeCompare(b.kid);
}

/** The current key of a record list: the newest one not retired. */
function currentOf(records: SigningKeyRecord[]): SigningKeyRecord | undefined {
  return records
    .filter((r) => r.alg === ALG && r.retiredAt === undefined)
    .sort(byAge)
    .at(-1);
}

/**
 * Until when tokens signed with each key are accepted: the current key always; a replaced key until the
 * key after it was created + the replicas' pick-up delay + the longest token life; a retired key until retiredAt.
 */
export function acceptedUntil(records: SigningKeyRecord[], maxTokenLifetimeMs: number, pickUpMs: number): Map<string, number> {
  const sorted = records.filter((r) => r.alg === ALG).sort(byAge);
  const current = currentOf(sorted);
  const out = new Map<string, number>();
  sorted.forEach((r, i) => {
    const next = sorted[i + 1];
    let until = r === current || next === undefined ? Infinity : Date.parse(next.createdAt) + pickUpMs + maxTokenLifetimeMs;
    if (r.retiredAt !== undefined) until = Math.min(until, Date.parse(r.retiredAt));
    out.set(r.kid, until);
  });
  return out;
}

/** Makes a new key current (`hoopctl gateway rotate-key`); with `retirePrevious`, tokens of every older key are refused at once. */
export async function rotateSigningKey(store: Store, o: { now: Clock; retirePrevious?: boolean }): Promise<{ kid: string; retired: string[] }> {
  const nowIso = new Date(o.now()).toISOString();
  const before = await store.getSigningKeys();
  const fresh = await generate(nowIso);
  // Never the same instant as the key it replaces, so "newest" is unambiguous.
  const newest = before.map((r) => Date.parse(r.createdAt)).reduce((a, b) => Math.max(a, b), 0);
  if (newest >= o.now()) fresh.createdAt = new Date(newest + 1).toISOString();
  await store.putSigningKey(fresh);
  const retired: string[] = [];
  if (o.retirePrevious === true) {
    for (const r of before.filter((k) => k.retiredAt === undefined)) {
      await store.putSigningKey({ ...r, retiredAt: nowIso });
      retired.push(r.kid);
    }
  }
  return { kid: fresh.kid, retired };
}

/** Loads the signing keys from the store, creating the first one when there is none. */
export async function loadSigningKeys(store: Store, o: SigningKeysOptions): Promise<SigningKeys> {
  const reloadMs = o.reloadIntervalMs ?? DEFAULT_RELOAD_MS;
  const maxLifeMs = o.maxTokenLifetimeSeconds * 1000;
  let records = await store.getSigningKeys();
  if (currentOf(records) === undefined) {
    await store.putSigningKey(await generate(new Date(o.now()).toISOString()));
    // Re-read: if replicas raced, all of them settle on the same (newest) key and publish every one.
    records = await store.getSigningKeys();
  }

  let current: SigningKeys['current'];
  let until = new Map<string, number>();
  const publicJwks = new Map<string, JWK>();
  const publicKeys = new Map<string, CryptoKey>();
  let lastLoad = o.now();

  async function apply(rs: SigningKeyRecord[]): Promise<void> {
    const chosen = currentOf(rs)!;
    if (current?.kid !== chosen.kid) {
      const privateKey = (await importJWK(JSON.parse(chosen.privateJwk) as JWK, ALG)) as CryptoKey;
      if (current !== undefined) o.log?.(`signing key ${chosen.kid} is now current (was ${current.kid})`);
      current = { kid: chosen.kid, alg: ALG, privateKey };
    }
    until = acceptedUntil(rs, maxLifeMs, reloadMs);
    publicJwks.clear();
    for (const r of rs) if (r.alg === ALG) publicJwks.set(r.kid, JSON.parse(r.publicJwk) as JWK);
  }
  await apply(records);

  const accepts = (kid: string): boolean => o.now() < (until.get(kid) ?? -Infinity);
  let loading: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    loading ??= (async () => {
      lastLoad = o.now();
      let rs = await store.getSigningKeys();
      const cur = currentOf(rs);
      if (cur === undefined || (o.rotateEverySeconds !== undefined && o.now() - Date.parse(cur.createdAt) >= o.rotateEverySeconds * 1000)) {
        const { kid } = await rotateSigningKey(store, { now: o.now });
        o.log?.(`signing key rotated: ${kid} (automatic, every ${o.rotateEverySeconds ?? 0}s)`);
        rs = await store.getSigningKeys();
      }
      await apply(rs);
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  };
  // One store read for every unknown kid met within UNKNOWN_KID_RELOAD_MS of the last read, shared by all of them.
  let unknownKidRead: Promise<void> | undefined;
  const readForUnknownKid = (): Promise<void> => {
    const wait = lastLoad + UNKNOWN_KID_RELOAD_MS - o.now();
    if (wait <= 0) return reload();
    unknownKidRead ??= new Promise<void>((resolve) => {
      setTimeout(resolve, wait);
    })
      .then(reload)
      .finally(() => {
        unknownKidRead = undefined;
      });
    return unknownKidRead;
  };
  const timer =
    reloadMs > 0
      ? setInterval(() => {
          reload().catch((e: unknown) => o.log?.(`cannot re-read the signing keys: ${(e as Error).message}`));
        }, reloadMs)
      : undefined;
  timer?.unref();
  if (o.rotateEverySeconds !== undefined) await reload();

  return {
    get current() {
      return current;
    },
    jwks: () => ({ keys: [...publicJwks.entries()].filter(([kid]) => accepts(kid)).map(([, jwk]) => jwk) }),
    accepts,
    reload,
    close: () => {
      if (timer !== undefined) clearInterval(timer);
    },
    publicKey: async (kid) => {
      if (!publicJwks.has(kid)) await readForUnknownKid();
      const jwk = publicJwks.get(kid);
      if (jwk === undefined || !accepts(kid)) return undefined;
      let key = publicKeys.get(kid);
      if (key === undefined) {
        key = (await importJWK(jwk, ALG)) as CryptoKey;
        publicKeys.set(kid, key);
      }
      return key;
    },
  };
}
