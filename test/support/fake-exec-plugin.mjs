// A client-go credential plugin for tests: counts its runs in <dir>/runs, answers per <dir>/control.json
// ({ token, expiresInMs?, fail?, stderr?, apiVersion? }), and keeps the KUBERNETES_EXEC_INFO it was given.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
appendFileSync(join(dir, 'runs'), 'x');
writeFileSync(join(dir, 'exec-info.json'), process.env.KUBERNETES_EXEC_INFO ?? '');
const control = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8'));
if (control.stderr) process.stderr.write(control.stderr);
if (control.fail) process.exit(3);
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}');
const status = { token: control.token };
if (control.expiresInMs !== undefined) status.expirationTimestamp = new Date(Date.now() + control.expiresInMs).toISOString();
process.stdout.write(JSON.stringify({ apiVersion: control.apiVersion ?? info.apiVersion, kind: 'ExecCredential', status }));
