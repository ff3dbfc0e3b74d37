/** The HTTP server edges of the gateway: timeouts (slowloris), listening with config errors, the draining refusal, `/metrics`. */
import type http from 'node:http';
import { answerClientErrorsWithStatus } from '../platform/client-error.js';
import type https from 'node:https';
import { HoopError } from '../errors.js';
import type { ListenAddress } from './listen-address.js';
import { urlHost } from './listen-address.js';
import type { GatewayMetrics } from './metrics.js';

// Slowloris: a client gets 10 s for its headers and 60 s for a whole request body; checked every second.
/** Server options of every gateway listener. */
export const SERVER_LIMITS = { headersTimeout: 10_000, requestTimeout: 60_000, connectionsCheckingInterval: 1_000 };

/** Sets the timeouts on a created server (older Node versions ignore some constructor options). */
export function applyServerLimits(server: http.Server | https.Server): void {
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.requestTimeout = SERVER_LIMITS.requestTimeout;
  answerClientErrorsWithStatus(server);
}

/** The Status body of a request refused while draining. */
export const DRAINING_BODY = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  reason: 'ServiceUnavailable',
  code: 503,
  message: 'the hoopctl gateway is shutting down; retry (another replica will answer)',
});

/** Answers a request that arrived after the drain began. */
export function refuseDraining(res: http.ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' }).end(DRAINING_BODY);
}

/** Answers `/metrics`. */
export function serveMetrics(metrics: GatewayMetrics, res: http.ServerResponse): void {
  metrics.scrape().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType }).end(body);
    },
    () => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
    },
  );
}

// A port in use or not permitted is a mistake in the config, not a bug: name the field that sets it.
/** Listens on `at`; a port in use, not permitted or not local is HoopError('config_invalid') naming `field`. */
export async function listenOn(server: http.Server | https.Server, at: ListenAddress, field: string, file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const where = `${urlHost(at.host)}:${at.port}`;
      const why =
        e.code === 'EADDRINUSE'
          ? 'is already in use'
          : e.code === 'EACCES'
            ? 'is not permitted for this user'
            : e.code === 'EADDRNOTAVAIL'
              ? 'is not an address of this machine'
              : undefined;
      reject(
        why === undefined
          ? e
          : new HoopError('config_invalid', `${file}: ${field}: ${where} ${why} (${e.code})`, {
              hint: `stop what listens there, or choose another ${field}`,
              cause: e,
            }),
      );
    };
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
