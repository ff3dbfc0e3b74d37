/**
 * 6. Teardown: how long after a revoke (`DELETE /v1/sessions/:id` at the gateway) or after the
 * session's expiry a held watch is closed, seen by the client — through the full chain (the
 * local proxy of a real `hoopctl connect --print-env`) and at the gateway alone.
 */
import type { BenchOptions } from './args.js';
import { connectInBackground } from './chain-session.js';
import { MAIN_CONNECTION, SHORT_CONNECTION, SHORT_TTL_SECONDS } from './gateway-config.js';
import { createSession, revokeSession } from './identity.js';
import { fetchOnce } from './fetch-once.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { median, monoMs } from './stats.js';
import type { Target } from './targets.js';
import { openWatch } from './watch-client.js';

const WATCH = '/api/v1/namespaces/default/configmaps?watch=true';
const GIVE_UP_MS = 10_000;

interface Held {
  target: Target;
  sessionId: string;
  expiresAt: string;
}

async function sessionFor(stack: Stack, via: 'chain' | 'gateway', connection: string): Promise<Held> {
  if (via === 'chain') {
    const c = await connectInBackground(stack.home, connection, stack.connectNodeArgs);
    stack.trackDaemon(c.pid);
    return { target: c.target, sessionId: c.sessionId, expiresAt: c.expiresAt };
  }
  const s = await createSession(stack.gateway.url, stack.idToken, connection);
  return {
    target: { name: 'gateway', label: 'gateway alone', base: s.server, headers: { authorization: `Bearer ${s.token}` } },
    sessionId: s.sessionId,
    expiresAt: s.expiresAt,
  };
}

/** What a request with the same credentials gets after the cut. */
async function afterCut(target: Target): Promise<string> {
  try {
    return `then GET → HTTP ${(await fetchOnce(target, '/api/v1/namespaces/default/configmaps')).status}`;
  } catch (e) {
    return `then GET → ${(e as { code?: string }).code ?? (e as Error).message}`;
  }
}

function within(p: Promise<number>): Promise<number> {
  return Promise.race([p, new Promise<number>((r) => setTimeout(() => r(Number.NaN), GIVE_UP_MS))]);
}

async function revokeOnce(stack: Stack, via: 'chain' | 'gateway'): Promise<{ cutMs: number; deleteMs: number; after: string }> {
  const h = await sessionFor(stack, via, MAIN_CONNECTION);
  const w = await openWatch(h.target, WATCH);
  if (w.status !== 200) throw new Error(`watch via ${via} → HTTP ${w.status}`);
  await new Promise((r) => setTimeout(r, 200));
  const t0 = monoMs();
  await revokeSession(stack.gateway.url, stack.idToken, h.sessionId);
  const deleteMs = monoMs() - t0;
  const cutMs = (await within(w.closed)) - t0;
  await w.close();
  return { cutMs, deleteMs, after: await afterCut(h.target) };
}

async function expiryOnce(stack: Stack, via: 'chain' | 'gateway'): Promise<{ cutMs: number; after: string }> {
  const h = await sessionFor(stack, via, SHORT_CONNECTION);
  const w = await openWatch(h.target, WATCH);
  if (w.status !== 200) throw new Error(`watch via ${via} → HTTP ${w.status}`);
  const wallMinusMono = Date.now() - monoMs();
  const closedMono = await within(w.closed);
  await w.close();
  return { cutMs: closedMono + wallMinusMono - Date.parse(h.expiresAt), after: await afterCut(h.target) };
}

/** Runs the teardown figures. */
export async function measureTeardown(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '6. teardown: watch closed at the client';
  const reps = o.quick ? 1 : 3;
  const rows: Row[] = [];
  // Expiry runs in the background while the revokes are measured: the short TTL is wall time either way.
  const expiries = Promise.allSettled(
    (['chain', 'gateway'] as const).flatMap((via) =>
      Array.from({ length: Math.min(reps, 2) }, () =>
        expiryOnce(stack, via).then(
          (r) => ({ via, ...r }),
          (e: unknown) => Promise.reject(Object.assign(e as Error, { via })),
        ),
      ),
    ),
  );
  for (const via of ['chain', 'gateway'] as const) {
    const runs = [];
    for (let i = 0; i < reps; i++) runs.push(await revokeOnce(stack, via));
    const cut = median(runs.map((r) => r.cutMs));
    log(`  revoke via ${via}: cut after ${cut.toFixed(1)} ms (DELETE answered after ${median(runs.map((r) => r.deleteMs)).toFixed(1)} ms); ${runs[0]!.after}`);
    rows.push(
      row({
        id: `teardown.revoke.${via}`,
        section,
        figure: `revoke → watch closed (${via === 'chain' ? 'full chain' : 'gateway alone'})`,
        value: cut,
        unit: 'ms',
        baseline: { label: 'DELETE → 204', value: median(runs.map((r) => r.deleteMs)) },
        target: '≤ 1000 ms',
        met: cut <= 1000,
        note: `median of ${reps}; ${runs[0]!.after}`,
      }),
    );
  }
  const settled = await expiries;
  const ex = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  for (const via of ['chain', 'gateway'] as const) {
    const runs = ex.filter((r) => r.via === via);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as { via?: string }).via === via);
    if (runs.length === 0) {
      rows.push(
        row({
          id: `teardown.expiry.${via}`,
          section,
          figure: `expiry → watch closed (${via === 'chain' ? 'full chain' : 'gateway alone'})`,
          value: null,
          unit: 'ms',
          target: '≤ 1000 ms',
          note: `failed: ${(failed?.reason as Error | undefined)?.message ?? 'no run'} (a ${SHORT_TTL_SECONDS}s session may expire before a slow machine opens its watch)`,
        }),
      );
      continue;
    }
    const cut = median(runs.map((r) => r.cutMs));
    log(`  expiry via ${via}: cut ${cut.toFixed(1)} ms after expiresAt; ${runs[0]!.after}`);
    rows.push(
      row({
        id: `teardown.expiry.${via}`,
        section,
        figure: `expiry → watch closed (${via === 'chain' ? 'full chain' : 'gateway alone'})`,
        value: cut,
        unit: 'ms',
        target: '≤ 1000 ms',
        met: cut <= 1000,
        note: `median of ${runs.length}, ${SHORT_TTL_SECONDS}s TTL; ${runs[0]!.after}`,
      }),
    );
  }
  return rows;
}
