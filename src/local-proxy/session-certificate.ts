/** Per-session self-signed TLS certificate of the loopback proxy; the kubeconfig pins it as its own CA. */
import { generate } from 'selfsigned';

/** The proxy's certificate and key (PEM). `certPem` goes into the kubeconfig's `certificate-authority-data`. */
export interface SessionCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** Options of createSessionCertificate; `now` is passed in so tests fix the clock. */
export interface SessionCertificateOptions {
  now: Date;
  /** Session lifetime; the certificate outlives it by `marginSeconds` so it never expires before the session does. */
  validForSeconds: number;
  marginSeconds?: number;
}

const DEFAULT_MARGIN_SECONDS = 10 * 60;
// Loopback only, but a client whose clock runs slightly behind ours must not see "not yet valid".
const BACKDATE_MS = 5 * 60 * 1000;

/** Generates an EC P-256 certificate for 127.0.0.1 and localhost, valid for the session plus a margin. */
export async function createSessionCertificate(options: SessionCertificateOptions): Promise<SessionCertificate> {
  const margin = options.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  const notBefore = new Date(options.now.getTime() - BACKDATE_MS);
  const notAfter = new Date(options.now.getTime() + (Math.max(0, options.validForSeconds) + margin) * 1000);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      // CA:FALSE on purpose. Go (kubectl 1.27–1.33) and OpenSSL (Node, @kubernetes/client-node) accept a
      // self-signed end-entity certificate as its own trust anchor (checked with real kubectl), while
      // rustls/webpki clients (kube-rs) reject a CA:TRUE certificate presented as a server certificate.
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private, notAfter };
}
