// The serving certificate: self-signed EC P-256 with an IP SAN, usable as its own CA in a
// kubeconfig's certificate-authority-data (Go and OpenSSL both accept a self-signed leaf as root).
import { isIP } from 'node:net';
import { generate } from 'selfsigned';

/** PEM key and certificate. */
export interface ServingCertificate {
  key: string;
  cert: string;
}

/** Creates a certificate for `host` (plus 127.0.0.1 and localhost), valid for one day. */
export async function createServingCertificate(host: string): Promise<ServingCertificate> {
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 7, ip: '127.0.0.1' },
    { type: 2, value: 'localhost' },
  ];
  if (host !== '127.0.0.1' && host !== 'localhost') altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'hoopctl-simulated-kube-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
