/**
 * Connection names and session ids for shell completion: asked of the gateway with the stored
 * login (never refreshed: a completion must not wait for an IdP), kept for a minute in
 * `$XDG_CACHE_HOME/hoopctl/completion.json`, and silent on any failure (no login, no gateway).
 */
import type { Clock } from '../clock.js';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createGatewayClient } from '../platform/gateway-client.js';
import { resolvePaths } from '../platform/paths.js';
import { writePrivateFile } from '../platform/secure-file.js';
import type { DynamicValues } from './complete-words.js';

const TTL_MS = 60_000;
const BUDGET_MS = 1_500;

type Cached = Record<string, { at: number; values: string[] } | undefined>;

/** The cache file of completion values. */
export function completionCacheFile(env: NodeJS.ProcessEnv): string {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'hoopctl', 'completion.json');
}

/** Gateway-backed values for completeWords, with a short cache; every failure yields []. */
export function createCompletionValues(env: NodeJS.ProcessEnv, now: Clock = Date.now): DynamicValues {
  const file = completionCacheFile(env);
  async function cached(kind: 'connections' | 'sessions', fetchValues: (idToken: string, gateway: string) => Promise<string[]>): Promise<string[]> {
    let cache: Cached = {};
    try {
      cache = JSON.parse(await readFile(file, 'utf8')) as Cached;
    } catch {
      /* none yet */
    }
    const hit = cache[kind];
    if (hit !== undefined && now() - hit.at < TTL_MS && Array.isArray(hit.values)) return hit.values;
    try {
      const work = (async () => {
        const { createTokenStore } = await import('../oidc/token-store.js');
        const login = await (await createTokenStore({ env, paths: resolvePaths(env) })).load();
        if (login === undefined || Date.parse(login.expiresAt) <= now()) return [];
        const values = await fetchValues(login.idToken, login.gateway);
        await writePrivateFile(file, JSON.stringify({ ...cache, [kind]: { at: now(), values } }));
        return values;
      })();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string[]>((resolve) => {
        timer = setTimeout(() => resolve([]), BUDGET_MS);
      });
      try {
        return await Promise.race([work, late]);
      } finally {
        clearTimeout(timer);
      }
    } catch {
      return [];
    }
  }
  return {
    connections: () => cached('connections', async (t, g) => (await createGatewayClient({ baseUrl: g }).listConnections(t)).map((c) => c.name)),
    sessions: () => cached('sessions', async (t, g) => (await createGatewayClient({ baseUrl: g }).listSessions(t, true)).map((s) => s.id)),
  };
}
