/**
 * Pipeline step 4 for HTTP/1.1 upgrades (exec, attach, port-forward over WebSocket GET or SPDY POST): after the
 * same checks, relay the upgrade upstream and then pipe raw bytes both ways. node:http(s) is used rather than
 * undici's upgrade(), because kubectl needs a non-101 answer (e.g. 400 Status) relayed intact to fall back from
 * WebSocket to SPDY, and undici turns such an answer into an error.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { GatewayContext } from '../gateway-context.js';
import { isRecordedUpgrade, prepareRecording, type UpgradeRecording } from '../recording/record-upgrade.js';
import { sendStatus, writeRawResponse, type ProxyExchange } from './exchange.js';
import { upstreamIdentity, upstreamUnreachable } from './forward.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './upstream-headers.js';

/** Forwards an upgrade request; `audit` runs before the client sees the 101 (or the refusal). */
export type ForwardUpgradeStep = (x: ProxyExchange, audit: () => Promise<void>) => Promise<void>;

const MAX_REFUSAL_BODY = 1024 * 1024;

function relayNonUpgrade(x: ProxyExchange, upRes: IncomingMessage, audit: () => Promise<void>): void {
  const client = x.upgrade!.socket;
  const chunks: Buffer[] = [];
  let size = 0;
  upRes.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_REFUSAL_BODY) chunks.push(c);
  });
  upRes.on('error', () => client.destroy());
  upRes.on('end', () => {
    const body = Buffer.concat(chunks);
    x.status = upRes.statusCode ?? 502;
    x.bytes = body.length;
    audit().then(() => {
      const headers = Object.entries(clientResponseHeaders(upRes.headers))
        .filter(([k]) => k !== 'content-length')
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((one) => [k, one] as [string, string]) : [[k, v] as [string, string]]));
      writeRawResponse(client, x.status!, headers, body);
    }, () => client.destroy());
  });
}

function pipeUpgraded(gw: GatewayContext, x: ProxyExchange, upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer, rec?: UpgradeRecording): void {
  const client = x.upgrade!.socket;
  const lines = [`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}`];
  for (let i = 0; i + 1 < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
  client.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (upHead.length > 0) { rec?.fromUpstream(upHead); client.write(upHead); }
  if (x.upgrade!.head.length > 0) { rec?.fromClient(x.upgrade!.head); upSocket.write(x.upgrade!.head); }

  const session = x.session!.session;
  const closeBoth = (): void => { client.destroy(); upSocket.destroy(); };
  const untrack = gw.streams.add(session.id, Date.parse(session.expiresAt), { close: closeBoth });
  // The recorder reads copies of the relayed bytes, before they are written on; the relay itself is untouched.
  upSocket.on('data', (c: Buffer) => { x.bytes += c.length; rec?.fromUpstream(c); });
  if (rec !== undefined) client.on('data', (c: Buffer) => rec.fromClient(c));
  upSocket.pipe(client);
  client.pipe(upSocket);
  for (const s of [client, upSocket]) {
    s.on('error', closeBoth);
    s.on('close', () => { closeBoth(); untrack(); void rec?.end(); });
  }
}

// exec/attach: the recording exists before the first byte flows; if it cannot, the stream does not start.
async function startUpgraded(gw: GatewayContext, x: ProxyExchange, upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer, audit: () => Promise<void>): Promise<void> {
  const client = x.upgrade!.socket;
  const cut = (reason: string): void => {
    x.message ??= `stream cut: ${reason}`;
    client.destroy();
    upSocket.destroy();
  };
  const rec = await prepareRecording(x, upRes, cut);
  await audit();
  await rec?.start();
  pipeUpgraded(gw, x, upRes, upSocket, upHead, rec);
}

/** Builds the upgrade forward step. */
export function createForwardUpgrade(gw: GatewayContext): ForwardUpgradeStep {
  return async (x, audit) => {
    const client = x.upgrade!.socket;
    const up = gw.upstreams.get(x.connectionName);
    if (up === undefined) {
      await sendStatus(x, upstreamUnreachable(x.connectionName, new Error('not configured')), audit);
      return;
    }
    const headers = upstreamRequestHeaders(x.req.headersDistinct, x.req.headers, await upstreamIdentity(gw, up, x));
    headers.connection = 'Upgrade';
    headers.upgrade = x.req.headers.upgrade ?? 'websocket';
    // A compressed WebSocket (permessage-deflate) could not be recorded from the relayed bytes.
    if (isRecordedUpgrade(x)) delete headers['sec-websocket-extensions'];
    const mod = up.origin.protocol === 'https:' ? https : http;
    const upReq = mod.request({
      host: up.origin.hostname.replace(/^\[|\]$/g, ''),
      port: up.origin.port === '' ? undefined : Number(up.origin.port),
      path: `${up.basePath}${x.kubePath}`,
      method: x.req.method ?? 'GET',
      headers,
      agent: false,
      ...(up.origin.protocol === 'https:' ? up.tlsOptions() : {}),
    });
    // A client that hangs up before the upstream answers must not leave the upstream request behind.
    const onClientClose = (): void => { upReq.destroy(); };
    client.once('close', onClientClose);
    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      client.off('close', onClientClose);
      x.status = 101;
      // The exec or port-forward starts only once its audit event (and an exec's recording) is stored.
      startUpgraded(gw, x, upRes, upSocket, upHead, audit).catch((e: unknown) => {
        const why = e instanceof Error ? e.message : String(e);
        gw.log(`upgrade ${x.auditID} not started: ${why}`);
        x.message ??= `stream not started: ${why}`;
        if (!x.audited) audit().catch(() => undefined);
        upSocket.destroy();
        client.destroy();
      });
    });
    upReq.on('response', (upRes) => {
      client.off('close', onClientClose);
      relayNonUpgrade(x, upRes, audit);
    });
    upReq.on('error', (cause) => {
      client.off('close', onClientClose);
      if (client.destroyed) { audit().catch(() => undefined); return; }
      void sendStatus(x, upstreamUnreachable(x.connectionName, cause), audit);
    });
    upReq.end();
  };
}
