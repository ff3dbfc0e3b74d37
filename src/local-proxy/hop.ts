/**
 * What the local proxy's parts share: its options, the pool to the gateway, the client check, the stream registry the
 * teardown ends, and the request log. Built once by createLocalProxy; the request, upgrade and close paths take it.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pool } from 'undici';
import type { KubeStatus } from '../kube/types.js';
import type { EndableStream } from './pipe-upgrade.js';
import type { TranscriptEntry } from './transcript.js';

/** One line per finished request, for `--verbose`; the path carries no query string. */
export interface RequestLogLine {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Options of createLocalProxy. */
export interface LocalProxyOptions {
  /** Gateway URL prefix of the connection (`CreateSessionResponse.server`), e.g. `https://gw/k8s/prod`. */
  upstreamUrl: string;
  /** The session JWT; held in memory only. */
  upstreamToken: string;
  /** Extra CA (PEM) for a gateway with a private CA. */
  upstreamCaPem?: string;
  /** The random per-session secret written into the kubeconfig. */
  localToken: string;
  certPem: string;
  keyPem: string;
  host?: string;
  port?: number;
  onRequest?(line: RequestLogLine): void;
  /** Session transcript (JSON lines, 0600, appended): requests and masked answer summaries. */
  transcriptFile?: string;
  /** Wall-clock milliseconds for the latency in log lines; injectable for tests. */
  nowMs?: () => number;
  /**
   * Asks whether the session ended at the gateway (revoke, expiry); called when upstream cuts a watch or an
   * exec the client still holds, and on a 401 from upstream. Resolves with the Status to end cut streams with.
   */
  sessionEnded?(): Promise<KubeStatus | undefined>;
}

/** The answer facts a transcript line keeps, read when the client's response closes. */
export type AnswerFacts = () => Partial<TranscriptEntry>;

/** The proxy's shared state, as the request, upgrade and close paths see it. */
export interface Hop {
  readonly options: LocalProxyOptions;
  /** Gateway origin (`https://gw`) and the connection's path prefix (`/k8s/prod`). */
  readonly origin: string;
  readonly prefix: string;
  readonly pool: Pool;
  readonly nowMs: () => number;
  /** True when the request carries this session's local token (Authorization or WebSocket bearer subprotocol). */
  authorized(headers: IncomingHttpHeaders): boolean;
  /** The Status every request gets once the session ended, else undefined. */
  ended(): KubeStatus | undefined;
  /** Registers a stream the teardown ends with a Status; returns the unregister function. */
  register(stream: EndableStream): () => void;
  /** Keeps a socket the teardown destroys. */
  track(socket: Duplex): void;
  /** Logs one finished request (`onRequest`, transcript). */
  log(req: IncomingMessage, status: number, started: number, answer?: Partial<TranscriptEntry>): void;
  /** Whether a transcript is kept (the answer's facts are collected only then). */
  readonly transcribing: boolean;
}
