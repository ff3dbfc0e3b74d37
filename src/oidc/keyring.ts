/**
 * The OS keychain behind a two-method interface, so the token store can be tested with a fake.
 * The real one is @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Secret Service).
 */

/** One keychain item (service + account). Every call may reject when the keychain is unavailable or locked. */
export interface KeyringEntry {
  setPassword(password: string, signal?: AbortSignal): Promise<void>;
  /** Resolves null when no item exists. */
  getPassword(signal?: AbortSignal): Promise<string | null>;
  /** Resolves false when no item existed. */
  deletePassword(signal?: AbortSignal): Promise<boolean>;
}

/** A keychain: hands out entries; `entry` may throw when no keychain exists. */
export interface Keyring {
  entry(service: string, account: string): KeyringEntry;
}

/**
 * Loads @napi-rs/keyring lazily (a native module: `--token-store file` users never pay for it).
 * On Linux the entry is pinned to the Secret Service: the library's default silently falls back
 * to the kernel keyring, which is memory-only (lost at reboot) and often blocked in containers.
 */
export async function loadSystemKeyring(): Promise<Keyring> {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  return {
    entry: (service, account) => {
      const e = new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
      return {
        setPassword: (password, signal) => e.setPassword(password, signal),
        getPassword: (signal) => e.getPassword(signal),
        deletePassword: (signal) => e.deletePassword(signal),
      };
    },
  };
}
