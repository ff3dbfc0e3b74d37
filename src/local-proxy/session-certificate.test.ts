import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSessionCertificate } from './session-certificate.js';

test('EC P-256 certificate for 127.0.0.1 and localhost, covering the session plus margin', async () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const { certPem, keyPem, notAfter } = await createSessionCertificate({ now, validForSeconds: 900, marginSeconds: 600 });
  const x = new X509Certificate(certPem);
  assert.equal(x.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost');
  assert.equal(x.subject, 'CN=127.0.0.1');
  assert.equal(x.issuer, x.subject);
  assert.equal(x.ca, false);
  assert.ok(x.checkIP('127.0.0.1'));
  assert.equal(x.checkHost('localhost'), 'localhost');
  assert.equal(new Date(x.validTo).getTime(), new Date('2026-11-26T12:25:00Z').getTime());
  assert.equal(notAfter.getTime(), new Date('2026-11-26T12:25:00Z').getTime());
  assert.ok(new Date(x.validFrom).getTime() < now.getTime());
  assert.equal(x.publicKey.asymmetricKeyType, 'ec');
  assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.ok(x.checkPrivateKey(createPrivateKey(keyPem)));
  assert.ok(x.verify(x.publicKey), 'self-signed');
});

test('two sessions never share a key', async () => {
  const now = new Date();
  const [a, b] = await Promise.all([createSessionCertificate({ now, validForSeconds: 60 }), createSessionCertificate({ now, validForSeconds: 60 })]);
  assert.notEqual(a.keyPem, b.keyPem);
});
