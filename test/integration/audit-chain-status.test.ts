// The gateway's audit chain status on a real SQLite store: a second check reads only the events added since the
// first (plus the last one it verified), concurrent checks share one pass, the event loop runs between pages,
// and tampering is still caught — a new or the last verified event by the resumed check, an older one by a full check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { auditEvent } from '../../src/audit/audit-event.js';
import type { AuditRowSource } from '../../src/audit/verify-chain.js';
import { createAuditChainStatus } from '../../src/gateway/audit-chain-status.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

let dir: string;
let file: string;
let store: Store;
let n = 0;
const PAGE = 50;

async function append(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    n++;
    await store.appendAudit(
      auditEvent({
        auditID: `a${n}`,
        stage: 'ResponseComplete',
        time: new Date(Date.UTC(2026, 11, 2, 12, 0, 0, n)).toISOString(),
        verb: 'get',
        requestURI: `/api/v1/pods?i=${n}`,
        decision: 'deny',
      }),
    );
  }
}

/** The store as a row source that counts the rows it hands out. */
function counted(): AuditRowSource & { read: number } {
  const source = {
    read: 0,
    rows: async (afterSeq: number, limit: number) => {
      const rows = await store.listAuditRows(afterSeq, limit);
      source.read += rows.length;
      return rows;
    },
    highWater: () => store.auditHighWater(),
  };
  return source;
}

function edit(sql: string): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run();
  } finally {
    db.close();
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hoop-chain-status-'));
  file = join(dir, 'gw.db');
  store = await openSqliteStore(file);
});
after(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

test('a second check reads only the new events; concurrent checks share one pass; the loop runs between pages', async () => {
  await append(300);
  const source = counted();
  const status = createAuditChainStatus(source, PAGE);
  // Counted by the event loop while the first check runs: it must get turns between the pages.
  let turns = 0;
  let spinning = true;
  const spin = (): void => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  const [first, same] = await Promise.all([status.current(), status.current()]);
  spinning = false;
  assert.equal(first, same, 'two concurrent checks share one pass');
  assert.deepEqual([first.ok, first.checked, first.head?.seq], [true, 300, 300]);
  assert.equal(source.read, 300);
  assert.ok(turns >= 300 / PAGE, `the event loop ran ${turns} times during ${300 / PAGE} pages`);

  await append(7);
  source.read = 0;
  const second = await status.current();
  assert.deepEqual([second.ok, second.checked, second.head?.seq], [true, 307, 307]);
  assert.equal(source.read, 7 + 1, 'the seven new events and the last one verified before');
  source.read = 0;
  const full = await status.full();
  assert.deepEqual([full.ok, full.checked], [true, 307]);
  assert.equal(source.read, 307);
});

test('tampering: a new event or the last verified one is caught by the resumed check, an older one by the full check', async () => {
  const status = createAuditChainStatus(counted(), PAGE);
  assert.equal((await status.current()).ok, true);
  // An old event edited after it was verified: the resumed check does not reread it, the full check does.
  edit(`UPDATE audit_events SET event_json = replace(event_json, '"decision":"deny"', '"decision":"allow"') WHERE seq = 10`);
  assert.equal((await status.current()).ok, true);
  const full = await status.full();
  assert.deepEqual([full.ok, full.problem?.seq, full.problem?.kind], [false, 10, 'edited']);
  // After a broken report the next check starts from the first event again.
  assert.equal((await status.current()).problem?.seq, 10);
  edit(`UPDATE audit_events SET event_json = replace(event_json, '"decision":"allow"', '"decision":"deny"') WHERE seq = 10`);
  assert.equal((await status.current()).ok, true);
  // A new event edited before its first check.
  await append(3);
  edit(`UPDATE audit_events SET event_json = replace(event_json, '"decision":"deny"', '"decision":"allow"') WHERE seq = ${n - 1}`);
  assert.deepEqual([(await status.current()).problem?.seq], [n - 1]);
  edit(`UPDATE audit_events SET event_json = replace(event_json, '"decision":"allow"', '"decision":"deny"') WHERE seq = ${n - 1}`);
  assert.equal((await status.current()).ok, true);
  // The last verified event deleted (the end of the log): the resumed check notices.
  edit(`DELETE FROM audit_events WHERE seq = ${n}`);
  const tail = await status.current();
  assert.deepEqual([tail.ok, tail.problem?.seq, tail.problem?.kind], [false, n, 'gap']);
});
