/** One GET through a target, read to the end: status, bytes and wall time to the last byte. */
import { originAndPrefix, poolFor, type Target } from './targets.js';
import { monoMs } from './stats.js';

/** What one request took. */
export interface FetchResult {
  status: number;
  bytes: number;
  ms: number;
}

/** GETs `path` through `target` on a fresh connection (opened before the clock starts). */
export async function fetchOnce(target: Target, path: string): Promise<FetchResult> {
  const pool = poolFor(target, 1);
  const url = `${originAndPrefix(target).prefix}${path}`;
  const headers = { accept: 'application/json', ...target.headers };
  // Warm the connection (TLS handshake) with a cheap request so only the transfer is timed.
  const warm = await pool.request({ path: `${originAndPrefix(target).prefix}/version`, method: 'GET', headers });
  await warm.body.dump();
  const t0 = monoMs();
  const r = await pool.request({ path: url, method: 'GET', headers });
  let bytes = 0;
  for await (const chunk of r.body as AsyncIterable<Buffer>) bytes += chunk.length;
  const ms = monoMs() - t0;
  await pool.close();
  return { status: r.statusCode, bytes, ms };
}
