/**
 * Pipeline step 4 for exec, attach and port-forward upgrades (WebSocket GET or SPDY POST; the gate admits no other):
 * the `RequestReceived` event is stored, the upgrade goes upstream, and then
 * - a non-101 answer (kubectl needs e.g. the 400 Status intact to fall back from WebSocket to SPDY) goes through the
 *   gate like any answer;
 * - a 101 starts only once the gate admits it, its `ResponseStarted` event and (exec/attach) its recording are
 *   stored; then raw bytes flow both ways, read by the recorder on the side; `ResponseComplete` closes it.
 * node:http(s) is used rather than undici's upgrade(), because undici turns a non-101 answer into an error.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { GatewayContext } from '../gateway-context.js';
import { isRecordedUpgrade, prepareRecording, type UpgradeRecording } from '../recording/record-upgrade.js';
import { admitUpgradedStream, deliverAnswer } from './answer-gate.js';
import { recordProxyAudit, recordProxyStage } from './audit.js';
import { sendStatus, type AuthorizedExchange, type ClientUpgrade } from './exchange.js';
import { auditBeforeForwarding, upstreamIdentity, upstreamUnreachable } from './forward.js';
import { upstreamRequestHeaders } from './upstream-headers.js';

/** Forwards an admitted upgrade request (`upgrade`: its client socket) and answers it. */
export type ForwardUpgradeStep = (x: AuthorizedExchange, upgrade: ClientUpgrade) => Promise<void>;

function pipeUpgraded(
  gw: GatewayContext,
  x: AuthorizedExchange,
  clientHead: Buffer,
  client: Duplex,
  upRes: IncomingMessage,
  upSocket: Duplex,
  upHead: Buffer,
  rec?: UpgradeRecording,
): void {
  const lines = [`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}`];
  for (let i = 0; i + 1 < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
  client.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (upHead.length > 0) {
    rec?.fromUpstream(upHead);
    client.write(upHead);
  }
  if (clientHead.length > 0) {
    rec?.fromClient(clientHead);
    upSocket.write(clientHead);
  }

  const { session } = x.session;
  const closeBoth = (): void => {
    client.destroy();
    upSocket.destroy();
  };
  const untrack = gw.streams.add(session.id, Date.parse(session.expiresAt), {
    close: (reason) => {
      x.cutReason = reason;
      x.message ??= `stream cut: ${reason}`;
      closeBoth();
    },
  });
  // The recorder reads copies of the relayed bytes, before they are written on; the relay itself is untouched.
  upSocket.on('data', (c: Buffer) => {
    x.bytes += c.length;
    rec?.fromUpstream(c);
  });
  if (rec !== undefined) client.on('data', (c: Buffer) => rec.fromClient(c));
  upSocket.pipe(client);
  client.pipe(upSocket);
  let ended = false;
  for (const s of [client, upSocket]) {
    s.on('error', closeBoth);
    s.on('close', () => {
      closeBoth();
      untrack();
      if (ended) return;
      ended = true;
      void (async () => {
        await rec?.end(x.cutReason);
        await recordProxyAudit(x).catch(() => undefined);
      })();
    });
  }
}

// The stream starts only once the gate admits it and its start is audited (and an exec's recording exists).
async function startUpgraded(
  gw: GatewayContext,
  x: AuthorizedExchange,
  upgrade: ClientUpgrade,
  upRes: IncomingMessage,
  upSocket: Duplex,
  upHead: Buffer,
): Promise<void> {
  if (!admitUpgradedStream(x)) throw new Error('the gate admits no upgraded stream for this request');
  const client = upgrade.takeSocket();
  const cut = (reason: string): void => {
    x.message ??= `stream cut: ${reason}`;
    client.destroy();
    upSocket.destroy();
  };
  // The recorder's worker may fall behind a fast stream: both sides wait for it then (nothing passes unrecorded).
  const rec = await prepareRecording(x, upRes, cut, {
    pause: () => {
      upSocket.pause();
      client.pause();
    },
    resume: () => {
      upSocket.resume();
      client.resume();
    },
  });
  await recordProxyStage(x, 'ResponseStarted');
  await rec?.start();
  pipeUpgraded(gw, x, upgrade.head, client, upRes, upSocket, upHead, rec);
}

/** Builds the upgrade forward step. */
export function createForwardUpgrade(gw: GatewayContext): ForwardUpgradeStep {
  return async (x, upgrade) => {
    const audit = (): Promise<void> => recordProxyAudit(x);
    const up = gw.upstreams.get(x.connectionName);
    if (up === undefined) {
      await sendStatus(x, upstreamUnreachable(x.connectionName, new Error('not configured')), audit);
      return;
    }
    if (!(await auditBeforeForwarding(x))) return;
    let identity: Awaited<ReturnType<typeof upstreamIdentity>>;
    try {
      identity = await upstreamIdentity(gw, up, x);
    } catch (cause) {
      await sendStatus(x, upstreamUnreachable(x.connectionName, cause), audit);
      return;
    }
    const headers = upstreamRequestHeaders(x.req.headersDistinct, x.req.headers, identity);
    headers.connection = 'Upgrade';
    headers.upgrade = x.req.headers.upgrade ?? 'websocket';
    // A compressed WebSocket (permessage-deflate) could not be recorded from the relayed bytes.
    if (isRecordedUpgrade(x)) delete headers['sec-websocket-extensions'];
    const mod = up.origin.protocol === 'https:' ? https : http;
    const sent = performance.now();
    const upReq = mod.request({
      host: up.origin.hostname.replace(/^\[|\]$/g, ''),
      port: up.origin.port === '' ? undefined : Number(up.origin.port),
      path: `${up.basePath}${x.kubePath}`,
      method: x.req.method ?? 'GET',
      headers,
      agent: false,
      ...(up.origin.protocol === 'https:' ? up.tlsOptions() : {}),
    });
    const client = upgrade.socket;
    // A client that hangs up before the upstream answers must not leave the upstream request behind.
    const onClientClose = (): void => {
      upReq.destroy();
    };
    client.once('close', onClientClose);
    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      client.off('close', onClientClose);
      gw.metrics?.observePhase('upstream', (performance.now() - sent) / 1000);
      x.status = 101;
      startUpgraded(gw, x, upgrade, upRes, upSocket, upHead).catch((e: unknown) => {
        const why = e instanceof Error ? e.message : String(e);
        gw.log(`upgrade ${x.auditID} not started: ${why}`);
        x.message ??= `stream not started: ${why}`;
        audit().catch(() => undefined);
        upSocket.destroy();
        client.destroy();
      });
    });
    upReq.on('response', (upRes) => {
      client.off('close', onClientClose);
      gw.metrics?.observePhase('upstream', (performance.now() - sent) / 1000);
      x.status = upRes.statusCode ?? 502;
      deliverAnswer(x, { statusCode: x.status, headers: upRes.headers, body: upRes }).catch((e: unknown) => {
        gw.log(`answer to upgrade ${x.auditID} failed: ${e instanceof Error ? e.message : String(e)}`);
        client.destroy();
      });
    });
    upReq.on('error', (cause) => {
      client.off('close', onClientClose);
      if (client.destroyed) {
        audit().catch(() => undefined);
        return;
      }
      void sendStatus(x, upstreamUnreachable(x.connectionName, cause), audit);
    });
    upReq.end();
  };
}
