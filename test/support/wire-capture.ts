// A recording HTTPS hop between a client (kubectl, client libraries) and the hoopctl local proxy:
// it relays every request unchanged and keeps a copy of every response byte the client receives,
// so a test can search what crossed the wire, not only what the client chose to print.
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { parse, stringify } from 'yaml';
import { createSessionCertificate } from '../../src/local-proxy/session-certificate.js';

/** A running capture hop. */
export interface WireCapture {
  /** Everything the clients received (response bodies, decompressed; latin1 so any byte survives). */
  received(): string;
  /** A kubeconfig (YAML) that is the given one with its server and CA pointing at the capture hop. */
  kubeconfigFor(original: string): string;
  close(): Promise<void>;
}

/** Starts a capture hop in front of `target` (an HTTPS origin whose certificate `targetCaPem` signs). */
export async function startWireCapture(target: string, targetCaPem: string): Promise<WireCapture> {
  const cert = await createSessionCertificate({ now: new Date(), validForSeconds: 3600 });
  const chunks: Buffer[] = [];
  const upstream = new URL(target);
  const server: Server = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const out = httpsRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        ca: targetCaPem,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        const copy = answer.headers['content-encoding'] === 'gzip' ? createGunzip() : undefined;
        copy?.on('data', (c: Buffer) => chunks.push(c)).on('error', () => undefined);
        answer.on('data', (c: Buffer) => {
          if (copy === undefined) chunks.push(c);
          else copy.write(c);
        });
        answer.on('end', () => copy?.end());
        answer.pipe(res);
        res.on('close', () => answer.destroy());
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received: () => Buffer.concat(chunks).toString('latin1'),
    kubeconfigFor(original) {
      const doc = parse(original) as { clusters: { cluster: Record<string, string> }[] };
      for (const c of doc.clusters) {
        c.cluster.server = url;
        c.cluster['certificate-authority-data'] = Buffer.from(cert.certPem).toString('base64');
      }
      return stringify(doc);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
