import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createColors } from './output.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { RecordingRecord } from '../store/store.js';
import { describeRecording, recordingList, recordingOutcome, timelineLine } from './cmd-replay.js';

const rec: RecordingRecord = {
  id: 'r1',
  session: 's1',
  auditID: 'a1',
  user: 'alice',
  connection: 'demo',
  subresource: 'exec',
  protocol: 'v5.channel.k8s.io',
  transport: 'websocket',
  namespace: 'demo',
  pod: 'web-1',
  container: 'web',
  command: ['sh', '-c', 'echo "a b"'],
  tty: false,
  startedAt: '2026-12-02T15:04:05.000Z',
  endedAt: '2026-12-02T15:04:06.000Z',
  width: 80,
  height: 24,
  bytes: 10,
  truncated: false,
  exitCode: 0,
  maskedCount: 0,
};

test('recordingOutcome: the exit code; an exec that ended without one was cut; an attach just ended', () => {
  assert.equal(recordingOutcome(rec), 'exit 0');
  assert.equal(recordingOutcome({ ...rec, exitCode: null }), 'cut: no exit status');
  assert.equal(recordingOutcome({ ...rec, exitCode: null, subresource: 'attach' }), 'ended');
  assert.equal(recordingOutcome({ ...rec, exitCode: null, endedAt: null }), 'still running');
});

test('describeRecording: the command quoted as a shell needs it, the transport and how it ended', () => {
  assert.equal(describeRecording(rec, 2), `exec #2: kubectl exec web-1 -c web -n demo -- sh -c 'echo "a b"' (websocket v5.channel.k8s.io, exit 0)`);
  assert.equal(
    describeRecording({ ...rec, exitCode: null, truncated: true }, 1),
    `exec #1: kubectl exec web-1 -c web -n demo -- sh -c 'echo "a b"' (websocket v5.channel.k8s.io, cut: no exit status, recording truncated at the session cap)`,
  );
});

test('recordingList: a numbered table to choose --exec N from', () => {
  const lines = recordingList([rec, { ...rec, command: ['ls'], exitCode: 2, startedAt: '2026-12-02T15:10:00.000Z' }], 0);
  assert.deepEqual(lines, [
    `EXEC   STARTED               COMMAND                                    RESULT`,
    `1      2026-12-02 15:04:05   kubectl exec web-1 -- sh -c 'echo "a b"'   exit 0`,
    `2      2026-12-02 15:10:00   kubectl exec web-1 -- ls                   exit 2`,
  ]);
});

test('timelineLine: offset, decision (deny red when painted), code, the request as kubectl reads, rule, recording', () => {
  const e = {
    auditID: 'a1',
    time: '2026-12-02T15:04:07.500Z',
    verb: 'get',
    resource: 'pods',
    subresource: 'exec',
    name: 'web-1',
    namespace: 'demo',
    requestURI: '/api/v1/namespaces/demo/pods/web-1/exec',
    decision: 'deny',
    rule: 'guardrails[0]',
    responseStatus: 403,
  } as AuditEvent;
  const start = Date.parse('2026-12-02T15:04:05.000Z');
  assert.equal(timelineLine(e, start, 1), '   +2.5s  deny     403  get pods/exec web-1 -n demo  (guardrails[0])  [exec #1]');
  const red = createColors(1).red;
  assert.ok(timelineLine(e, start, undefined, createColors(1)).includes(red('deny    ')));
});
