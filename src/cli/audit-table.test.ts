import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createColors } from './output.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { foldDiscovery, formatAuditRows, isDiscoveryEvent, lastStagePerRequest } from './audit-table.js';
import { textWidth } from './table.js';

const SESSION = '3f2a9c1b-7d4e-4a10-9c3b-0123456789ab';
const base: AuditEvent = {
  auditID: 'a1',
  stage: 'ResponseComplete',
  time: '2026-12-02T15:04:05.120Z',
  session: SESSION,
  user: 'alice@example.com',
  groups: ['dev'],
  impersonatedUser: null,
  connection: 'demo',
  verb: 'list',
  requestURI: '/api/v1/namespaces/demo/pods',
  apiGroup: '',
  resource: 'pods',
  subresource: null,
  namespace: 'demo',
  name: null,
  decision: 'allow',
  rule: 'bindings[0] -> roles.view.rules[0]',
  responseStatus: 200,
  latencyMs: 3,
  bytes: 100,
  maskedCount: 0,
  userAgent: 'kubectl/v1.32.5',
  sourceIP: '127.0.0.1',
  message: null,
};
const discovery = (requestURI: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  ...base,
  verb: 'get',
  requestURI,
  apiGroup: null,
  resource: null,
  namespace: null,
  rule: null,
  ...over,
});

test('isDiscoveryEvent: the documents kubectl reads before the request the person typed, when allowed', () => {
  const yes = [
    '/api',
    '/api/v1',
    '/apis',
    '/apis/apps',
    '/apis/apps/v1',
    '/apis/',
    '/version',
    '/version?timeout=32s',
    '/openapi/v2',
    '/openapi/v3/apis/apps/v1?hash=ABC',
    '/.well-known/openid-configuration',
    '/api?timeout=32s',
  ];
  for (const uri of yes) assert.equal(isDiscoveryEvent(discovery(uri)), true, uri);
  const no: [string, Partial<AuditEvent>][] = [
    ['/api/v1/namespaces/demo/pods', { resource: 'pods' }],
    ['/apis/apps/v1/deployments', { resource: 'deployments' }],
    ['/api/v1', { decision: 'deny' }],
    ['/version', { verb: 'post' }],
    ['/healthz', {}],
    ['/apis/apps/v1/extra/deep', {}],
    ['/v1/sessions', { verb: 'create' }],
  ];
  for (const [uri, over] of no) assert.equal(isDiscoveryEvent(discovery(uri, over)), false, `${uri} ${JSON.stringify(over)}`);
});

test('foldDiscovery: folded away and counted, or all of them with --all', () => {
  const events = [discovery('/api'), discovery('/apis'), base, discovery('/openapi/v3'), { ...base, auditID: 'a2', decision: 'deny' as const }];
  const folded = foldDiscovery(events, false);
  assert.deepEqual(
    folded.shown.map((e) => e.auditID),
    ['a1', 'a2'],
  );
  assert.equal(folded.folded, 3);
  assert.deepEqual(foldDiscovery(events, true), { shown: events, folded: 0 });
});

test('formatAuditRows: a header, one time format, the session column (whole off a terminal), request and verb', () => {
  const lines = formatAuditRows(
    [base, { ...base, decision: 'deny', verb: 'delete', resource: 'namespaces', name: 'kube-system', namespace: null, responseStatus: 403 }],
    { offsetMinutes: 0 },
  );
  assert.match(lines[0]!, /^TIME {18}SESSION {32}USER {16}DECISION {3}REQUEST$/);
  assert.equal(lines[1], `2026-12-02 15:04:05   ${SESSION}   alice@example.com   allow      list pods -n demo`);
  assert.equal(lines[2], `2026-12-02 15:04:05   ${SESSION}   alice@example.com   deny       delete namespaces kube-system`);
});

test('formatAuditRows: a namespace is not shown as in itself', () => {
  const [, row] = formatAuditRows([{ ...base, verb: 'delete', resource: 'namespaces', name: 'demo', namespace: 'demo' }], { offsetMinutes: 0 });
  assert.ok(row!.endsWith('delete namespaces demo'), row);
});

test('formatAuditRows -o wide: connection, HTTP code and rule', () => {
  const [head, row] = formatAuditRows([base], { offsetMinutes: 60, wide: true });
  assert.match(head!, /^TIME\s+SESSION\s+USER\s+CONNECTION\s+DECISION\s+CODE\s+REQUEST\s+RULE$/);
  assert.match(
    row!,
    /^2026-12-02 16:04:05\s+3f2a9c1b-\S+\s+alice@example\.com\s+demo\s+allow\s+200\s+list pods -n demo\s+bindings\[0\] -> roles\.view\.rules\[0\]$/,
  );
});

test('formatAuditRows on an 80-column terminal: short session ids, the request cut with an ellipsis, every line fits', () => {
  const long = { ...base, verb: 'get', resource: 'configmaps', name: 'a-configuration-map-with-a-rather-long-name', namespace: 'payments-production' };
  const lines = formatAuditRows([base, long], { width: 80, offsetMinutes: 0 });
  for (const l of lines) assert.ok(textWidth(l) <= 80, `${textWidth(l)}: ${l}`);
  // 19 + 8 + 17 + 8 and four gaps leave the request 16 columns.
  assert.equal(lines[1], '2026-12-02 15:04:05   3f2a9c1b   alice@example.com   allow      list pods -n de…');
  assert.equal(lines[2], '2026-12-02 15:04:05   3f2a9c1b   alice@example.com   allow      get configmaps …');
  assert.equal(
    formatAuditRows([{ ...base, namespace: null }], { width: 80, offsetMinutes: 0 })[1],
    '2026-12-02 15:04:05   3f2a9c1b   alice@example.com   allow      list pods',
    'a request that fits is whole',
  );
  assert.deepEqual(formatAuditRows([base], { width: 80 }, false).length, 1, 'without the header for --follow pages');
});

test('formatAuditRows: deny (and error) in red when painted; plain without colour', () => {
  const red = createColors(1).red;
  const deny = { ...base, decision: 'deny' as const };
  const [, painted] = formatAuditRows([deny], { offsetMinutes: 0, paint: createColors(1) });
  assert.ok(painted!.includes(`${red('deny')}       list pods`), painted);
  const [, plain] = formatAuditRows([deny], { offsetMinutes: 0, paint: createColors(0) });
  assert.doesNotMatch(plain!, /\x1b\[/);
});

test('lastStagePerRequest: the stages of one request collapse into the last, at the place of the first', () => {
  const exec = (stage: AuditEvent['stage'], responseStatus: number | null): AuditEvent => ({
    ...base,
    auditID: 'x',
    stage,
    responseStatus,
    subresource: 'exec',
  });
  const other = { ...base, auditID: 'y' };
  const out = lastStagePerRequest([exec('RequestReceived', null), exec('ResponseStarted', 101), other, exec('ResponseComplete', 101)]);
  assert.deepEqual(
    out.map((e) => [e.auditID, e.stage]),
    [
      ['x', 'ResponseComplete'],
      ['y', 'ResponseComplete'],
    ],
  );
  assert.deepEqual(lastStagePerRequest([]), []);
});
