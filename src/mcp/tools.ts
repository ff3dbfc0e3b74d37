/**
 * The tools of `hoopctl mcp`. Every refusal (policy, approval pending, expired login, bad input)
 * is returned as a tool result with `isError` and words an agent can pass on to its user, never
 * thrown: an MCP client treats a thrown error as a broken server.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { HoopError } from '../errors.js';
import { agentHint } from './agent-hints.js';
import { formatDuration, parseDuration } from '../credential/duration.js';
import type { AccessRequestView, CreateSessionResponse } from '../api/wire.js';
import {
  applyCalls,
  deleteCall,
  eventsCall,
  getCall,
  listCall,
  logsCall,
  scaleCall,
  statusMessage,
  summarizeList,
  type KubeAnswer,
  type KubeCall,
} from './kube-calls.js';
import type { McpBackend, SessionPool } from './session-pool.js';

/** A tool's answer (MCP `CallToolResult`). */
interface ToolResult {
  [key: string]: unknown;
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

const ok = (text: string): ToolResult => ({ content: [{ type: 'text', text }] });
const refused = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true });

function failure(e: unknown): ToolResult {
  if (e instanceof HoopError) {
    if (e.code === 'not_logged_in' || e.code === 'login_expired' || e.code === 'login_failed') {
      // An agent cannot log in itself: it must ask its user, in words the user can act on.
      const why = e.code === 'login_expired' ? `the login expired: ${e.message}` : e.message;
      return refused(`not logged in — run \`hoopctl login\` in a terminal, then call this tool again (${why})`);
    }
    const lead = e.code === 'approval_pending' ? 'approval needed' : e.code === 'denied' ? 'refused' : `error (${e.code})`;
    return refused(agentHint(`${lead}: ${e.message}${e.hint === undefined ? '' : `\nnext: ${e.hint}`}`));
  }
  return refused(`internal error in hoopctl mcp (a bug): ${e instanceof Error ? e.message : String(e)}`);
}

/** Runs a handler, turning every failure into a tool result. */
const guarded =
  <A>(fn: (args: A) => Promise<ToolResult>) =>
  async (args: A): Promise<ToolResult> => {
    try {
      return await fn(args);
    } catch (e) {
      return failure(e);
    }
  };

function describeRequest(r: AccessRequestView): string {
  const votes = `${r.approvals.length}/${r.minApprovals} approval(s) from ${r.approvers.join(', ')}`;
  return `access request ${r.id}: ${r.summary} on ${r.connection}: ${r.status} (${votes}; expires ${r.expiresAt})`;
}

function describeSession(s: CreateSessionResponse, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(s.expiresAt) - now) / 1000));
  return `session ${s.sessionId} on ${s.connection}${s.role === undefined ? '' : ` as role ${s.role}`} for ${s.user}, ${formatDuration(left)} left (until ${s.expiresAt})`;
}

const connection = z.string().min(1).describe('connection name, as list_connections shows it (e.g. prod)');
const resource = z.string().min(1).describe('resource: plural or short name (pods, deploy, configmaps) or plural.group for custom resources');
const namespace = z.string().min(1).optional();

/** Registers the tools on `server`. */
export function registerTools(server: McpServer, pool: SessionPool, backend: McpBackend): void {
  async function kube(conn: string, call: KubeCall): Promise<{ answer: KubeAnswer; session: CreateSessionResponse }> {
    let session = await pool.sessionFor(conn);
    let answer = await backend.kube(session, call);
    if (answer.status === 401) {
      // Ended or expired at the gateway: open a fresh session once.
      pool.drop(conn);
      session = await pool.sessionFor(conn);
      answer = await backend.kube(session, call);
    }
    return { answer, session };
  }
  function answerError(a: KubeAnswer): ToolResult | undefined {
    if (a.status >= 200 && a.status < 300) return undefined;
    // The gateway's Status names CLI commands (for kubectl users); the agent gets the tool that does the same.
    if (a.status === 403) return refused(`refused by the hoopctl gateway: ${agentHint(statusMessage(a))}`);
    return refused(`the Kubernetes API answered ${a.status}: ${agentHint(statusMessage(a))}`);
  }
  const ns = (s: CreateSessionResponse, given: string | undefined): string => given ?? s.namespace ?? 'default';

  server.registerTool(
    'list_connections',
    {
      title: 'List connections',
      description:
        'The Kubernetes connections this user may use through hoopctl, with their roles (approval: the role is granted only after a person approves) and session lengths.',
      inputSchema: {},
    },
    guarded(async () => {
      const items = await backend.listConnections();
      if (items.length === 0) return ok('no connections: this user holds no role on any connection');
      const open = new Map(pool.list().map((s) => [s.connection, s]));
      return ok(
        items
          .map((c) => {
            const roles = c.roles.map((r) => (r.approval ? `${r.name} (needs approval)` : r.name)).join(', ') || '(none)';
            const s = open.get(c.name);
            return `${c.name}: roles ${roles}; session ${formatDuration(c.defaultTtlSeconds)} (max ${formatDuration(c.maxTtlSeconds)})${c.description ? `; ${c.description}` : ''}${s === undefined ? '' : `; open: ${describeSession(s, backend.now())}`}`;
          })
          .join('\n'),
      );
    }),
  );

  server.registerTool(
    'request_access',
    {
      title: 'Request access',
      description:
        'Opens a session on a connection, with a role and a reason. When the role needs approval, returns at once with the access request id: tell the user who must approve it, then call check_request.',
      inputSchema: {
        connection,
        role: z.string().min(1).optional().describe('role to use (default: the roles granted without approval)'),
        reason: z.string().min(1).max(1000).describe('why access is needed (approvers and the audit log read it), e.g. "INC-123: restart stuck pods"'),
        ttl: z.string().optional().describe('session length like 15m or 1h (capped by the gateway)'),
        namespace,
      },
    },
    guarded(async (a: { connection: string; role?: string | undefined; reason: string; ttl?: string | undefined; namespace?: string | undefined }) => {
      const out = await pool.requestAccess({
        connection: a.connection,
        reason: a.reason,
        ...(a.role === undefined ? {} : { role: a.role }),
        ...(a.ttl === undefined ? {} : { ttlSeconds: parseDuration(a.ttl) }),
        ...(a.namespace === undefined ? {} : { namespace: a.namespace }),
      });
      if (out.kind === 'granted') return ok(`granted: ${describeSession(out.session, backend.now())}`);
      return ok(
        `approval needed: ${describeRequest(out.request)}. Ask ${out.request.approvers.join(' or ')} to run: hoopctl approve ${out.request.id}; then call check_request with id ${out.request.id}.`,
      );
    }),
  );

  server.registerTool(
    'check_request',
    {
      title: 'Check an access request',
      description: 'The state of an access request; once approved, opens the session it grants (for session requests this server made).',
      inputSchema: { id: z.string().min(1).describe('access request id') },
    },
    guarded(async (a: { id: string }) => {
      const r = await backend.getRequest(a.id);
      if (r.status === 'approved' && r.kind === 'session') {
        const s = await pool.claim(r);
        if (s !== undefined) return ok(`approved; ${describeSession(s, backend.now())}`);
      }
      if (r.status === 'approved' && r.kind === 'command') return ok(`${describeRequest(r)}: repeat the same call now`);
      if (r.status === 'denied' || r.status === 'expired' || r.status === 'withdrawn') return refused(describeRequest(r));
      return ok(describeRequest(r));
    }),
  );

  server.registerTool(
    'kube_list',
    {
      title: 'List Kubernetes objects',
      description: 'Lists objects of a resource (omit namespace for all namespaces), through the gateway.',
      inputSchema: { connection, resource, namespace, labelSelector: z.string().optional() },
      annotations: { readOnlyHint: true },
    },
    guarded(async (a: { connection: string; resource: string; namespace?: string | undefined; labelSelector?: string | undefined }) => {
      const { answer } = await kube(a.connection, listCall(a.resource, a.namespace, a.labelSelector));
      const bad = answerError(answer);
      if (bad !== undefined) return bad;
      const lines = summarizeList(JSON.parse(answer.text));
      return ok(lines.length === 0 ? `no ${a.resource} found` : lines.join('\n'));
    }),
  );

  server.registerTool(
    'kube_get',
    {
      title: 'Get a Kubernetes object',
      description: 'One object as JSON (Secret values come back masked by the gateway).',
      inputSchema: { connection, resource, name: z.string().min(1), namespace },
      annotations: { readOnlyHint: true },
    },
    guarded(async (a: { connection: string; resource: string; name: string; namespace?: string | undefined }) => {
      const s = await pool.sessionFor(a.connection);
      const { answer } = await kube(a.connection, getCall(a.resource, a.name, ns(s, a.namespace)));
      return answerError(answer) ?? ok(JSON.stringify(JSON.parse(answer.text), null, 2));
    }),
  );

  server.registerTool(
    'kube_describe',
    {
      title: 'Describe a Kubernetes object',
      description: 'One object and the events about it.',
      inputSchema: { connection, resource, name: z.string().min(1), namespace },
      annotations: { readOnlyHint: true },
    },
    guarded(async (a: { connection: string; resource: string; name: string; namespace?: string | undefined }) => {
      const s = await pool.sessionFor(a.connection);
      const where = ns(s, a.namespace);
      const { answer } = await kube(a.connection, getCall(a.resource, a.name, where));
      const bad = answerError(answer);
      if (bad !== undefined) return bad;
      const events = await kube(a.connection, eventsCall(a.name, where)).catch(() => undefined);
      const evLines =
        events === undefined || answerError(events.answer) !== undefined
          ? ['(events not readable)']
          : ((JSON.parse(events.answer.text) as { items?: { type?: string; reason?: string; message?: string }[] }).items ?? []).map(
              (e) => `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`,
            );
      return ok(`${JSON.stringify(JSON.parse(answer.text), null, 2)}\n\nEvents:\n${evLines.length === 0 ? '(none)' : evLines.join('\n')}`);
    }),
  );

  server.registerTool(
    'kube_logs',
    {
      title: 'Pod logs',
      description: 'Log lines of a pod (masked by the gateway).',
      inputSchema: {
        connection,
        pod: z.string().min(1),
        namespace,
        container: z.string().optional(),
        tailLines: z.number().int().positive().max(5000).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    guarded(async (a: { connection: string; pod: string; namespace?: string | undefined; container?: string | undefined; tailLines?: number | undefined }) => {
      const s = await pool.sessionFor(a.connection);
      const { answer } = await kube(
        a.connection,
        logsCall(a.pod, ns(s, a.namespace), {
          ...(a.container === undefined ? {} : { container: a.container }),
          tailLines: a.tailLines ?? 200,
        }),
      );
      return answerError(answer) ?? ok(answer.text === '' ? '(no log lines)' : answer.text);
    }),
  );

  server.registerTool(
    'kube_apply',
    {
      title: 'Apply a manifest',
      description: 'Server-side apply of a YAML or JSON manifest (one or more documents); the gateway decides per object.',
      inputSchema: { connection, manifest: z.string().min(1).describe('YAML or JSON; several YAML documents separated by ---'), namespace },
      annotations: { destructiveHint: false },
    },
    guarded(async (a: { connection: string; manifest: string; namespace?: string | undefined }) => {
      const s = await pool.sessionFor(a.connection);
      const lines: string[] = [];
      let failed = false;
      for (const { call, what } of applyCalls(a.manifest, a.namespace ?? s.namespace ?? 'default')) {
        const { answer } = await kube(a.connection, call);
        const bad = answerError(answer);
        failed ||= bad !== undefined;
        lines.push(bad === undefined ? `${what}: applied` : `${what}: ${bad.content[0]!.text}`);
      }
      return failed ? refused(lines.join('\n')) : ok(lines.join('\n'));
    }),
  );

  server.registerTool(
    'kube_delete',
    {
      title: 'Delete a Kubernetes object',
      description: "Deletes one object, if the gateway allows it (some deletes need a person's approval).",
      inputSchema: { connection, resource, name: z.string().min(1), namespace },
      annotations: { destructiveHint: true },
    },
    guarded(async (a: { connection: string; resource: string; name: string; namespace?: string | undefined }) => {
      const s = await pool.sessionFor(a.connection);
      const { answer } = await kube(a.connection, deleteCall(a.resource, a.name, ns(s, a.namespace)));
      return answerError(answer) ?? ok(`${a.resource}/${a.name} deleted`);
    }),
  );

  server.registerTool(
    'kube_scale',
    {
      title: 'Scale a workload',
      description: 'Sets the replicas of a deployment, statefulset or replicaset.',
      inputSchema: {
        connection,
        resource: z.string().min(1).default('deployments'),
        name: z.string().min(1),
        namespace,
        replicas: z.number().int().min(0).max(1000),
      },
      annotations: { destructiveHint: true },
    },
    guarded(async (a: { connection: string; resource: string; name: string; namespace?: string | undefined; replicas: number }) => {
      const s = await pool.sessionFor(a.connection);
      const { answer } = await kube(a.connection, scaleCall(a.resource, a.name, ns(s, a.namespace), a.replicas));
      return answerError(answer) ?? ok(`${a.resource}/${a.name} scaled to ${a.replicas}`);
    }),
  );
}
