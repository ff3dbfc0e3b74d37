/** The local proxy's teardown: end what can carry a final Status, then destroy every socket, within a second. */
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Pool } from 'undici';
import type { KubeStatus } from '../kube/types.js';
import type { EndableStream } from './pipe-upgrade.js';
import type { Transcript } from './transcript.js';

const CLOSE_DEADLINE_MS = 1000;
// Part of the close deadline left for final Status bytes to reach the clients before sockets are destroyed.
const FINAL_STATUS_MS = 500;

/** What the teardown closes. */
export interface Closable {
  server: Server;
  pool: Pool;
  endable: Set<EndableStream>;
  /** Every socket: clients, TLS clients, upgrade upstreams. */
  sockets(): Duplex[];
  transcript: Transcript | undefined;
}

async function endStreams(endable: Set<EndableStream>, status: KubeStatus): Promise<void> {
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all([...endable].map((s) => s.end(status).catch(() => undefined))),
    new Promise<void>((r) => {
      grace = setTimeout(r, FINAL_STATUS_MS);
    }),
  ]);
  clearTimeout(grace);
}

/** Ends open streams (with `status` where the protocol allows it) and closes everything but, while it lingers, the listener; resolves within a second. */
export function teardown(c: Closable, status: KubeStatus | undefined, keepListening: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    // Not unref'd: a socket that never reports 'close' must not let the process exit before teardown finished.
    const deadline = setTimeout(resolve, CLOSE_DEADLINE_MS);
    if (!keepListening) c.server.close();
    void (async () => {
      if (status !== undefined && c.endable.size > 0) await endStreams(c.endable, status);
      const all = c.sockets();
      const closed = all.map(
        (s) =>
          new Promise<void>((r) => {
            if (s.closed) r();
            else s.once('close', () => r());
          }),
      );
      for (const s of all) s.destroy();
      c.pool.destroy().catch(() => undefined);
      await Promise.all(closed);
      await c.transcript?.close();
      clearTimeout(deadline);
      resolve();
    })();
  });
}

/** Keeps answering with the end Status for `lingerMs`, then stops listening and destroys every socket. */
export function linger(c: Closable, lingerMs: number): Promise<void> {
  return new Promise<void>((done) => {
    setTimeout(() => {
      c.server.close();
      for (const s of c.sockets()) s.destroy();
      done();
    }, lingerMs);
  });
}
