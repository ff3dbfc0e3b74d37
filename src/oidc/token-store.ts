/**
 * Where the login (ID, access and refresh tokens) lives between commands: the OS keychain when
 * one answers, else a 0600 file in a 0700 dir under `$XDG_CONFIG_HOME/hoopctl`.
 * Token values never appear in an error message; errors name only the store.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HoopError } from '../errors.js';
import type { HoopPaths } from '../platform/paths.js';
import { removePath, writePrivateFile } from '../platform/secure-file.js';
import { loadSystemKeyring, type Keyring } from './keyring.js';

export type { Keyring, KeyringEntry } from './keyring.js';

/** One login as stored: enough to present the ID token to the gateway and refresh it. */
export interface StoredLogin {
  gateway: string;
  issuer: string;
  clientId: string;
  idToken: string;
  accessToken?: string;
  refreshToken?: string;
  /** Expiry of the ID token, RFC 3339. */
  expiresAt: string;
  user: string;
  groups: string[];
}

/** The kinds of token store. */
export type TokenStoreKind = 'keychain' | 'file';

/** A place to keep one login. */
export interface TokenStore {
  readonly kind: TokenStoreKind;
  /** Keychain service name, or the file path. */
  readonly location: string;
  load(): Promise<StoredLogin | undefined>;
  save(login: StoredLogin): Promise<void>;
  clear(): Promise<void>;
}

/** Options of createTokenStore; `keyring` replaces the system keychain in tests. */
export interface TokenStoreOptions {
  env: NodeJS.ProcessEnv;
  paths: HoopPaths;
  keyring?: Keyring;
  /** How long the keychain probe may take before the file store is used (default 3000 ms). */
  probeTimeoutMs?: number;
}

/** Keychain service name of hoopctl's entries. */
export const KEYCHAIN_SERVICE = 'hoopctl';
const KEYCHAIN_ACCOUNT = 'login';
const KEYCHAIN_OP_TIMEOUT_MS = 15_000;

// Checked by hand, not with zod: every command that reads the login (whoami included) would otherwise load zod at start-up.
const REQUIRED_KEYS = ['gateway', 'issuer', 'clientId', 'idToken', 'expiresAt', 'user'] as const;
const OPTIONAL_KEYS = ['accessToken', 'refreshToken'] as const;

function validLogin(json: unknown): StoredLogin | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (!REQUIRED_KEYS.every((k) => typeof o[k] === 'string')) return undefined;
  if (!OPTIONAL_KEYS.every((k) => o[k] === undefined || typeof o[k] === 'string')) return undefined;
  if (!Array.isArray(o.groups) || !o.groups.every((g) => typeof g === 'string')) return undefined;
  const out: Record<string, unknown> = { groups: [...o.groups] };
  for (const k of [...REQUIRED_KEYS, ...OPTIONAL_KEYS]) if (o[k] !== undefined) out[k] = o[k];
  return out as unknown as StoredLogin;
}

/** Picks the store: `HOOPCTL_TOKEN_STORE=file|keychain` forces one, otherwise the keychain if a probe write/read/delete succeeds. */
export async function createTokenStore(options: TokenStoreOptions): Promise<TokenStore> {
  const file = createFileStore(join(options.paths.configDir, 'tokens.json'));
  const forced = options.env.HOOPCTL_TOKEN_STORE;
  if (forced !== undefined && forced !== '' && forced !== 'file' && forced !== 'keychain') {
    throw new HoopError('config_invalid', `HOOPCTL_TOKEN_STORE="${forced}" is not a token store (use file or keychain)`);
  }
  if (forced === 'file') return file;

  let reason: string;
  try {
    const keyring = options.keyring ?? (await loadSystemKeyring());
    reason = await probe(keyring, options.probeTimeoutMs ?? 3000);
    if (reason === '') return createKeychainStore(keyring, file);
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  }
  if (forced === 'keychain') {
    throw new HoopError('store_error', `HOOPCTL_TOKEN_STORE=keychain, but no keychain answers (${reason})`, {
      hint: 'start a Secret Service (gnome-keyring, KeePassXC) or set HOOPCTL_TOKEN_STORE=file',
    });
  }
  return file;
}

/** Write, read back and delete a random value; '' when all three worked, else why not. */
async function probe(keyring: Keyring, timeoutMs: number): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  const value = randomBytes(8).toString('hex');
  const run = async (): Promise<string> => {
    const entry = keyring.entry(KEYCHAIN_SERVICE, `probe-${value}`);
    await entry.setPassword(value, signal);
    const read = await entry.getPassword(signal);
    await entry.deletePassword(signal);
    return read === value ? '' : 'the keychain did not return what was written';
  };
  // Not every backend honours the signal; the race makes the timeout hold anyway.
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function parse(text: string, where: string): StoredLogin {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const login = validLogin(json);
  if (login === undefined) {
    throw new HoopError('store_error', `the stored login in ${where} is damaged`, { hint: 'run hoopctl logout, then hoopctl login' });
  }
  return login;
}

function createFileStore(path: string): TokenStore {
  return {
    kind: 'file',
    location: path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new HoopError('store_error', `cannot read the token file ${path}`, { cause: e });
      }
      return parse(text, path);
    },
    async save(login) {
      try {
        await writePrivateFile(path, `${JSON.stringify(login, null, 2)}\n`);
      } catch (e) {
        throw new HoopError('store_error', `cannot write the token file ${path}`, { cause: e });
      }
    },
    async clear() {
      await removePath(path);
    },
  };
}

function createKeychainStore(keyring: Keyring, file: TokenStore): TokenStore {
  const where = `the keychain (service "${KEYCHAIN_SERVICE}")`;
  const call = async <T>(what: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await op(AbortSignal.timeout(KEYCHAIN_OP_TIMEOUT_MS));
    } catch (e) {
      // Keyring errors describe the backend (D-Bus, locked collection), never the secret.
      throw new HoopError('store_error', `cannot ${what} ${where}: ${e instanceof Error ? e.message : String(e)}`, {
        hint: 'set HOOPCTL_TOKEN_STORE=file to keep the login in a file instead',
      });
    }
  };
  const entry = () => keyring.entry(KEYCHAIN_SERVICE, KEYCHAIN_ACCOUNT);
  return {
    kind: 'keychain',
    location: KEYCHAIN_SERVICE,
    async load() {
      const text = await call('read the login from', (signal) => entry().getPassword(signal));
      return text === null ? undefined : parse(text, where);
    },
    async save(login) {
      await call('save the login in', (signal) => entry().setPassword(JSON.stringify(login), signal));
      // A file left by an earlier run without keychain would keep a refresh token on disk.
      await file.clear();
    },
    async clear() {
      await call('remove the login from', (signal) => entry().deletePassword(signal));
    },
  };
}
