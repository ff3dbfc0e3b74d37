import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from './audit-event.js';
import { canonicalJson } from './canonical-json.js';
import { chainEvent, eventHash, GENESIS_HASH } from './hash-chain.js';
import { createChainVerifier, type AuditRow } from './verify-chain.js';

function event(n: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    auditID: `a${n}`,
    stage: 'ResponseComplete',
    time: `2026-01-01T10:00:0${n}.000Z`,
    session: 's1',
    user: 'alice',
    groups: ['g'],
    impersonatedUser: null,
    connection: 'prod',
    verb: 'get',
    requestURI: `/api/v1/pods/${n}`,
    apiGroup: '',
    resource: 'pods',
    subresource: null,
    namespace: 'demo',
    name: null,
    decision: 'allow',
    rule: null,
    responseStatus: 200,
    latencyMs: 1,
    bytes: 10,
    maskedCount: 0,
    userAgent: null,
    sourceIP: null,
    message: null,
    ...over,
  };
}

function chain(n: number): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const prev = out.at(-1);
    out.push(chainEvent(event(i), prev === undefined ? undefined : { seq: prev.seq!, hash: prev.hash }));
  }
  return out;
}

const row = (e: AuditEvent, json = JSON.stringify(e)): AuditRow => ({
  seq: e.seq!,
  auditID: e.auditID,
  time: e.time,
  session: e.session,
  user: e.user,
  eventJson: json,
});

function verify(rows: AuditRow[], highWater?: number) {
  const v = createChainVerifier();
  for (const r of rows) v.push(r);
  return v.finish(highWater);
}

test('canonical JSON sorts keys at every level, drops undefined members, keeps array order (RFC 8785)', () => {
  assert.equal(canonicalJson({ b: 1, a: [3, { d: 'x', c: null }], u: undefined, é: true }), '{"a":[3,{"c":null,"d":"x"}],"b":1,"é":true}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
});

test('chained events link to their predecessor and their hash covers every field but itself', () => {
  const [e1, e2] = chain(2);
  assert.deepEqual([e1!.seq, e1!.prevHash, e2!.seq, e2!.prevHash], [1, GENESIS_HASH, 2, e1!.hash]);
  assert.equal(eventHash(e2!), e2!.hash);
  assert.notEqual(eventHash({ ...e2!, bytes: 11 }), e2!.hash);
  // The key order of the stored JSON does not matter.
  assert.equal(eventHash(JSON.parse(JSON.stringify(e2!, Object.keys(e2!).sort().reverse())) as AuditEvent), e2!.hash);
});

test('a tail written before the chain existed starts the chain at genesis with the next seq', () => {
  const e = chainEvent(event(5), { seq: 4, hash: undefined });
  assert.deepEqual([e.seq, e.prevHash], [5, GENESIS_HASH]);
});

test('verify: an intact chain is ok and reports its head', () => {
  const events = chain(4);
  const r = verify(
    events.map((e) => row(e)),
    4,
  );
  assert.deepEqual([r.ok, r.checked, r.head?.seq, r.head?.hash], [true, 4, 4, events[3]!.hash]);
});

test('verify: the first problem is named — edited content, edited column, deleted middle, first and last events', () => {
  const events = chain(5);
  const rows = events.map((e) => row(e));
  const edited = rows.map((r, i) => (i === 2 ? { ...r, eventJson: r.eventJson.replace('"bytes":10', '"bytes":99') } : r));
  assert.deepEqual(pick(verify(edited)), [false, 3, 'edited']);
  assert.deepEqual(pick(verify(rows.map((r, i) => (i === 1 ? { ...r, user: 'mallory' } : r)))), [false, 2, 'edited']);
  assert.deepEqual(pick(verify(rows.filter((_, i) => i !== 2))), [false, 4, 'gap']);
  assert.match(verify(rows.filter((_, i) => i !== 2)).problem!.message, /event 3 is missing/);
  assert.deepEqual(pick(verify(rows.slice(1))), [false, 2, 'gap']);
  assert.deepEqual(pick(verify(rows.slice(0, 4), 5)), [false, 5, 'gap']);
  const replaced = chainEvent(event(9), { seq: 3, hash: events[2]!.hash });
  assert.deepEqual(pick(verify([...rows.slice(0, 3), row(replaced), rows[4]!])), [false, 5, 'broken-link']);
  assert.deepEqual(pick(verify([...rows.slice(0, 2), { ...rows[2]!, eventJson: '{' }])), [false, 3, 'unparseable']);
});

test('verify: events from before the chain are counted, an unhashed event inside the chain is not accepted', () => {
  const legacy = [1, 2].map((n) => {
    const { seq: _seq, ...unsequenced } = event(n);
    return row(unsequenced as AuditEvent, JSON.stringify(event(n)));
  });
  legacy.forEach((r, i) => {
    r.seq = i + 1;
  });
  const first = chainEvent(event(3), { seq: 2, hash: undefined });
  const r = verify([...legacy, row(first)], 3);
  assert.deepEqual([r.ok, r.unchained, r.checked], [true, 2, 1]);
  const sneaked = { ...legacy[0]!, seq: 4 };
  assert.deepEqual(pick(verify([...legacy, row(first), sneaked])), [false, 4, 'unchained']);
});

function pick(r: ReturnType<typeof verify>): [boolean, number | undefined, string | undefined] {
  return [r.ok, r.problem?.seq, r.problem?.kind];
}
