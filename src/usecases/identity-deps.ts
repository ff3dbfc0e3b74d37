/** The I/O the identity use cases (login, getFreshLogin, whoami, logout) take, so tests run them headless. */
import type { HoopPaths } from '../platform/paths.js';
import type { TokenStore } from '../oidc/token-store.js';

/** A waiting indicator; the CLI draws a spinner, tests record the calls. */
export interface StatusIndicator {
  start(text: string): void;
  stop(): void;
}

/** Dependencies of the identity use cases. Only `paths`, `tokenStore` and `stderr` are required. */
export interface IdentityDeps {
  paths: HoopPaths;
  tokenStore: TokenStore;
  /** Where instructions for the person go (the verification URL and user code). */
  stderr: { write(text: string): unknown };
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds (default Date.now). */
  now?: () => number;
  status?: StatusIndicator;
  /** Opens a URL in a browser; only given when a person sits at a TTY. Failures are ignored. */
  openBrowser?: (url: string) => Promise<void>;
  /** Cancels a waiting login (Ctrl-C). */
  signal?: AbortSignal;
}
