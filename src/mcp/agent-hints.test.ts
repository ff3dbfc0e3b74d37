import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentHint } from './agent-hints.js';

test('CLI remedies become tool calls; commands for other people stay', () => {
  const table: [string, string][] = [
    [
      'role "" of this session does not allow this (hoopctl rule default-deny); hint: hoopctl connect real --role edit --reason "…"',
      'role "" of this session does not allow this (hoopctl rule default-deny); hint: call request_access with role edit, connection real and a reason (a person must approve it; then call check_request)',
    ],
    ['hint: hoopctl connect real --role edit', 'hint: call request_access with role edit, connection real and a reason'],
    ['hoopctl connect prod --role view --namespace shop', 'call request_access with role view, connection prod, namespace shop and a reason'],
    ['hoopctl connect prod --role view (without --namespace)', 'call request_access with role view, connection prod, no namespace and a reason'],
    [
      'hoopctl connect prod --role edit --reason "INC-123: …"',
      'call request_access with role edit, connection prod and a reason (a person must approve it; then call check_request)',
    ],
    [
      'the session token was refused: expired; run hoopctl connect <connection>',
      'the session token was refused: expired; call request_access with the connection and a reason',
    ],
    ['hoopctl connect prod --request 0123456789ab', 'call check_request with id 0123456789ab'],
    ['request 0123456789ab still waits; hoopctl wait 0123456789ab', 'request 0123456789ab still waits; call check_request with id 0123456789ab'],
    [
      'review abc waits for 1 approval from sre: hoopctl approve abc; once approved, send the same request again from this session (hoopctl wait abc)',
      'review abc waits for 1 approval from sre: hoopctl approve abc; once approved, send the same request again from this session (call check_request with id abc)',
    ],
    ['you hold no role on connection "x"; run hoopctl connections', 'you hold no role on connection "x"; call list_connections'],
    ['not logged in; run hoopctl login', 'not logged in; run hoopctl login'],
    ['pods "web" not found', 'pods "web" not found'],
  ];
  for (const [cli, agent] of table) assert.equal(agentHint(cli), agent, cli);
});
