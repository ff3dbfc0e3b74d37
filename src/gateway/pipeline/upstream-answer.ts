/** An answer from the upstream as the gate sees it, whichever client (undici or node:http) fetched it. */
import type { Readable } from 'node:stream';

/** Status, headers and the unread body of one upstream answer. */
export interface UpstreamAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}
