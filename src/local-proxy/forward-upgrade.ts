/**
 * A client request that node:http handed over as an upgrade: exec, attach and portforward switch protocols and are
 * piped as raw sockets; anything else is answered through the ordinary (transcribed) request path or refused.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildStatus } from '../kube/status.js';
import { classifyRequest, isNonCanonical } from '../kube/request-info.js';
import type { KubeStatus } from '../kube/types.js';
import { decideUpgrade } from '../kube/upgrade-rule.js';
import { declaresBody, upgradeResponse } from '../platform/upgrade-response.js';
import { buildUpstreamHeaders } from './forward-headers.js';
import { forwardRequest } from './forward-request.js';
import type { Hop } from './hop.js';
import { pipeUpgrade } from './pipe-upgrade.js';
import { BAD_PATH, sendStatus, UNAUTHORIZED } from './send-status.js';

/** The server's 'upgrade' listener. */
export function forwardUpgrade(hop: Hop, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const started = hop.nowMs();
  socket.on('error', () => socket.destroy());
  // Every answer but a protocol switch goes through an ordinary response on the socket (HEAD gets no body).
  const { res, takeSocket } = upgradeResponse(req, socket);
  const refuse = (status: KubeStatus): void => {
    hop.log(req, status.code, started);
    sendStatus(res, status);
  };
  if (!hop.authorized(req.headers)) {
    refuse(UNAUTHORIZED);
    return;
  }
  const ended = hop.ended();
  if (ended !== undefined) {
    refuse(ended);
    return;
  }
  const target = req.url ?? '';
  if (!target.startsWith('/')) {
    refuse(BAD_PATH);
    return;
  }
  // The gateway's rule, applied here too (DESIGN.md invariant 1): only exec, attach and portforward switch
  // protocols; anything else is relayed as the plain request it is, through the ordinary (transcribed) path.
  const classified = classifyRequest(req.method ?? 'GET', target);
  const decision = decideUpgrade(isNonCanonical(classified) ? undefined : classified, req.headers.upgrade, declaresBody(req));
  if (decision.kind === 'refuse') {
    refuse(buildStatus(400, 'BadRequest', decision.message));
    return;
  }
  if (decision.kind === 'plain') {
    for (const h of ['connection', 'upgrade']) delete req.headers[h];
    forwardRequest(hop, req, res);
    return;
  }
  takeSocket();
  const { options } = hop;
  pipeUpgrade(socket, head, {
    url: new URL(`${hop.prefix}${target}`, hop.origin),
    method: req.method ?? 'GET',
    headers: buildUpstreamHeaders(req.rawHeaders, { bearer: options.upstreamToken, upgrade: req.headers.upgrade ?? 'websocket' }),
    ...(options.upstreamCaPem === undefined ? {} : { ca: options.upstreamCaPem }),
    track: (s) => hop.track(s),
    onStatus: (status) => hop.log(req, status, started, { upgrade: true }),
    register: (s) => hop.register(s),
    ...(options.sessionEnded === undefined ? {} : { whyCut: options.sessionEnded }),
  });
}
