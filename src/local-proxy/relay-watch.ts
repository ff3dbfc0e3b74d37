/**
 * Relays a JSON watch answer to the client so that it can end with an ERROR event carrying a Status
 * (kube-apiserver's framing, fixtures observation 36): when the session ends here, or when the gateway cut
 * the stream because the session ended there. The event goes in only between two events (after a newline).
 */
import type { ServerResponse } from 'node:http';
import { watchErrorEvent } from '../kube/stream-end-status.js';
import type { KubeStatus } from '../kube/types.js';
import type { EndableStream } from './pipe-upgrade.js';

/** What relayWatch needs from the proxy. */
export interface RelayWatchOptions {
  /** Registers the stream so the proxy's close can end it with a Status; returns the unregister function. */
  register(stream: EndableStream): () => void;
  /** Asked when upstream cut the stream: the Status to end it with, if the session ended. */
  sessionEnded?(): Promise<KubeStatus | undefined>;
}

/** Pipes `body` (the upstream answer) into `res`, ending `res` itself so a final ERROR event can be added. */
export function relayWatch(body: NodeJS.ReadableStream & { destroy(): void }, res: ServerResponse, options: RelayWatchOptions): void {
  let atLineEnd = true;
  let ending: Promise<void> | undefined;
  const endWith = (status: KubeStatus | undefined): Promise<void> => {
    ending ??= new Promise<void>((resolve) => {
      body.unpipe(res);
      body.destroy();
      if (res.destroyed || res.writableEnded) {
        resolve();
        return;
      }
      res.once('close', () => resolve());
      if (status === undefined || !atLineEnd) {
        res.destroy();
        return;
      }
      res.end(watchErrorEvent(status));
    });
    return ending;
  };
  const unregister = options.register({ end: endWith });
  res.once('close', () => {
    unregister();
    body.destroy();
  });
  body.on('data', (c: Buffer) => {
    if (c.length > 0) atLineEnd = c[c.length - 1] === 0x0a;
  });
  body.on('end', () => {
    if (ending === undefined) res.end();
  });
  body.on('error', () => {
    if (ending !== undefined || res.destroyed) return;
    if (!atLineEnd || options.sessionEnded === undefined) {
      void endWith(undefined);
      return;
    }
    // Cut upstream (revoke at the gateway): ask why before ending, so the client prints it.
    options.sessionEnded().then(
      (status) => endWith(status),
      () => endWith(undefined),
    );
  });
  body.pipe(res, { end: false });
}
