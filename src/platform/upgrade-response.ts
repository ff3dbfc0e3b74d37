/**
 * A `ServerResponse` on the socket of a request that node:http handed over as an HTTP/1.1 upgrade. Node routes every
 * request carrying `Connection: Upgrade` to the server's 'upgrade' event, whatever the `Upgrade` value; with this, the
 * proxies answer such a request through their ordinary response path (masked, audited) unless they really switch
 * protocols, in which case `takeSocket()` gives the raw socket back. kube-apiserver serves a plain request that carries
 * `Upgrade` as the plain request it is (fixtures 102/103), and closes nothing; here the connection closes after the
 * answer, since node no longer parses requests on a socket it handed over.
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** The response writer for an upgrade request, and the way to take its socket back for a 101. */
export interface UpgradeResponse {
  res: ServerResponse;
  /** Detaches the response from the socket (before anything was written) and returns the socket. */
  takeSocket(): Duplex;
}

/** Wraps the socket of an upgrade request in a ServerResponse that closes the connection after the answer. */
export function upgradeResponse(req: IncomingMessage, socket: Duplex): UpgradeResponse {
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  const onFinish = (): void => {
    socket.end();
  };
  res.once('finish', onFinish);
  return {
    res,
    takeSocket() {
      if (res.headersSent) throw new Error('the answer has started; the socket cannot be taken back');
      res.off('finish', onFinish);
      res.detachSocket(socket as Socket);
      return socket;
    },
  };
}

/** True when the request declares a body (node does not parse the body of an upgrade request). */
export function declaresBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len.trim() !== '0');
}
