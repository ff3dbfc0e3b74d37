// The hash-chained audit log on a real gateway and SQLite file: `GET /v1/audit/verify` (admins) and
// `hoopctl audit verify --db FILE` (the built CLI, offline) find an event deleted or edited directly in
// the database; `GET /v1/audit?after=SEQ` pages forward for `audit --follow`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { ChainReport } from '../../src/audit/verify-chain.js';
import { createTempHome, runCli, type TempHome } from '../support/cli-runner.js';
import { send, startHarness, type Harness } from './gateway-harness.js';

let h: Harness;
let home: TempHome;
let dbFile: string;
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

before(async () => {
  h = await startHarness();
  home = await createTempHome();
  dbFile = join(h.dir, 'state', 'gw.db');
  // Ten audited requests: sessions opened and a few proxied reads.
  for (let i = 0; i < 5; i++) {
    const s = await send(
      h.gateway.url,
      'POST',
      '/v1/sessions',
      { ...bearer(h.idTokens.alice), 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(s.status, 201, s.body);
    await send(h.gateway.url, 'GET', `/k8s/prod/api/v1/namespaces/default/pods?i=${i}`, bearer(s.json.token));
  }
});
after(async () => {
  await h?.close();
  await home?.cleanup();
});

const verifyAtGateway = async (who: 'root' | 'alice' = 'root') => send(h.gateway.url, 'GET', '/v1/audit/verify', bearer(h.idTokens[who]));

/** A consistent copy of the live database (VACUUM INTO), edited by `edit`. */
function copyWith(name: string, edit: (db: Database.Database) => void): string {
  const file = join(h.dir, `${name}.db`);
  const live = new Database(dbFile);
  live.exec(`VACUUM INTO '${file}'`);
  live.close();
  const db = new Database(file);
  edit(db);
  db.close();
  return file;
}

describe('audit hash chain', () => {
  test('an untouched log verifies at the gateway (admins only) and offline', async () => {
    const r = await verifyAtGateway();
    assert.equal(r.status, 200, r.body);
    const report = r.json as ChainReport;
    assert.deepEqual([report.ok, report.checked >= 10, report.unchained], [true, true, 0]);
    assert.equal((await verifyAtGateway('alice')).status, 403);
    const offline = await runCli(['audit', 'verify', '--db', copyWith('intact', () => undefined)], home.env);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /^audit chain ok: \d+ event\(s\) verified; head: event \d+, hash [0-9a-f]{64}\n$/);
  });

  test('`after=SEQ` returns the later events, oldest first, each linked to the previous one', async () => {
    const all = (await send(h.gateway.url, 'GET', '/v1/audit?limit=5000', bearer(h.idTokens.root))).json.items as AuditEvent[];
    const later = (await send(h.gateway.url, 'GET', '/v1/audit?after=3&limit=2', bearer(h.idTokens.root))).json.items as AuditEvent[];
    assert.deepEqual(
      later.map((e) => e.seq),
      [4, 5],
    );
    assert.equal(later[0]!.prevHash, all.find((e) => e.seq === 3)!.hash);
    assert.equal((await send(h.gateway.url, 'GET', '/v1/audit?after=-1', bearer(h.idTokens.root))).status, 400);
  });

  test('a deleted event is a gap: offline verify exits 1 naming it; deleting the newest one is caught too', async () => {
    const middle = copyWith('deleted', (db) => db.prepare('DELETE FROM audit_events WHERE seq = 3').run());
    const r = await runCli(['audit', 'verify', '--db', middle], home.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /audit chain broken at event 4 \(gap\): event 3 is missing \(deleted\) between events 2 and 4/);
    assert.match(r.stderr, /last good event: 2 /);
    const tail = copyWith('tail', (db) => db.prepare('DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)').run());
    const t = await runCli(['audit', 'verify', '--db', tail, '-o', 'json'], home.env);
    assert.equal(t.code, 1);
    assert.equal((JSON.parse(t.stdout) as ChainReport).problem?.kind, 'gap');
  });

  test('an edited event is found, offline and at the gateway, whether its JSON or an indexed column was changed', async () => {
    const json = copyWith('edited', (db) =>
      db.prepare('UPDATE audit_events SET event_json = replace(event_json, \'"decision":"allow"\', \'"decision":"deny"\') WHERE seq = 2').run(),
    );
    const r = await runCli(['audit', 'verify', '--db', json], home.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /audit chain broken at event 2 \(edited\): event 2 \(audit id \S+\) was edited/);
    const column = copyWith('column', (db) => db.prepare("UPDATE audit_events SET user = 'mallory@example.com' WHERE seq = 5").run());
    assert.match((await runCli(['audit', 'verify', '--db', column], home.env)).stderr, /broken at event 5 \(edited\)/);

    // The live file, under the running gateway.
    const live = new Database(dbFile);
    live.prepare('UPDATE audit_events SET event_json = replace(event_json, \'"bytes":\', \'"bytes":1\') WHERE seq = 6').run();
    live.close();
    const report = (await verifyAtGateway()).json as ChainReport;
    assert.equal(report.ok, false);
    assert.deepEqual([report.problem?.seq, report.problem?.kind, report.head?.seq], [6, 'edited', 5]);
  });
});
