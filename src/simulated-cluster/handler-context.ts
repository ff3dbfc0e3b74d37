// What every request handler of the simulated API server receives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LogBook } from './log-book.js';
import type { ObjectStore } from './object-store.js';

/** The authenticated (possibly impersonated) caller, as SelfSubjectReview reports it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** State shared by all requests of one server. */
export interface ServerState {
  store: ObjectStore;
  logs: LogBook;
  now: () => Date;
  /** Open long-running responses (watches, `logs -f`), ended by `close()`. */
  streams: Set<() => void>;
  counters: { watches: number; logStreams: number };
  /** Bookmark period of watches with allowWatchBookmarks (kube-apiserver: about a minute). */
  bookmarkIntervalMs: number;
  /** What SelfSubjectAccessReview answers "no" to (the simulation has no RBAC; see reviews.ts). */
  accessDenials?: AccessDenial[];
}

/** One request being answered. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: UserInfo;
  state: ServerState;
  /** Set for `Connection: Upgrade` requests (exec, attach, port-forward): the raw socket to take over after a 101. */
  upgrade?: { socket: Duplex; head: Buffer };
}

/** What a test takes away from a user, like an RBAC without that binding; '*' or an absent field matches anything. */
export interface AccessDenial {
  user: string;
  verb?: string;
  group?: string;
  resource?: string;
  namespace?: string;
}
