/**
 * Terminal pickers (@inquirer/prompts): choose a connection and role, a pending request, or confirm a revoke.
 * Only on a terminal: never without a TTY on stdin and stderr, with `--no-input` (or HOOPCTL_NO_INPUT=1), in CI
 * (CI set) or under `hoopctl mcp`, which never calls these. Prompts draw on stderr so stdout stays scriptable.
 */
import { formatDuration } from '../credential/duration.js';
import { HoopError } from '../errors.js';
import type { AccessRequestView, ConnectionSummary } from '../api/wire.js';

/** Where prompts read and draw; the entry point passes process.stdin / process.stderr. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** True when hoopctl may ask: a terminal on both ends, no `--no-input`, not CI. */
export function mayPrompt(env: NodeJS.ProcessEnv, io: PromptIo, flags: { input?: boolean; ci?: boolean }): boolean {
  if (flags.input === false || flags.ci === true) return false;
  if (env.HOOPCTL_NO_INPUT === '1' || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')) return false;
  return io.input.isTTY === true && io.output.isTTY === true;
}

/** The process's own terminal streams. */
export function processIo(): PromptIo {
  return { input: process.stdin, output: process.stderr };
}

async function ask<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    // Ctrl-C (or a closed terminal) inside a prompt: nothing was done.
    if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) throw new HoopError('usage', 'cancelled');
    throw e;
  }
}

function rolesText(c: ConnectionSummary): string {
  return c.roles.map((r) => (r.approval ? `${r.name} (approval)` : r.name)).join(', ') || '(none)';
}

/** What the connection picker chose. */
export interface ConnectionChoice {
  connection: string;
  role?: string;
  reason?: string;
}

/** Offers the connections with the caller's roles, then a role when there is a choice, and a reason for a role behind approval. */
export async function pickConnection(io: PromptIo, items: ConnectionSummary[], given: { role?: string; reason?: string }): Promise<ConnectionChoice> {
  const { select, input } = await import('@inquirer/prompts');
  const usable = items.filter((c) => c.roles.length > 0);
  if (usable.length === 0) throw new HoopError('denied', 'you hold no role on any connection of this gateway', { hint: 'run hoopctl connections' });
  const connection = await ask(() =>
    select(
      {
        message: 'Connection',
        choices: usable.map((c) => ({
          name: `${c.name}  — roles: ${rolesText(c)}; ttl ${formatDuration(c.defaultTtlSeconds)}`,
          value: c.name,
          ...(c.description === undefined ? {} : { description: c.description }),
        })),
      },
      io,
    ),
  );
  const c = usable.find((x) => x.name === connection)!;
  const choice: ConnectionChoice = { connection };
  let role = given.role;
  const direct = c.roles.filter((r) => !r.approval);
  if (role === undefined && (c.roles.length > 1 || direct.length === 0)) {
    const DEFAULT = '\u0000default';
    const picked = await ask(() =>
      select(
        {
          message: 'Role',
          choices: [
            ...(direct.length > 0 ? [{ name: `your default roles (${direct.map((r) => r.name).join(', ')})`, value: DEFAULT }] : []),
            ...c.roles.filter((r) => r.approval).map((r) => ({ name: `${r.name} — needs approval`, value: r.name })),
            ...(direct.length > 1 ? direct.map((r) => ({ name: `${r.name} only`, value: r.name })) : []),
          ],
        },
        io,
      ),
    );
    if (picked !== DEFAULT) role = picked;
  }
  if (role !== undefined) choice.role = role;
  if (given.reason !== undefined) choice.reason = given.reason;
  else if (role !== undefined && c.roles.some((r) => r.name === role && r.approval)) {
    choice.reason = await ask(() =>
      input({ message: 'Reason (approvers read it)', required: true, validate: (v) => v.trim() !== '' || 'say why you need it' }, io),
    );
  }
  return choice;
}

/** Lists the pending requests the caller may decide, with details, and returns the chosen id. */
export async function pickRequest(io: PromptIo, items: AccessRequestView[], decision: 'approve' | 'deny'): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  const open = items.filter((r) => r.canApprove);
  if (open.length === 0) throw new HoopError('not_found', 'no pending access requests you may decide', { hint: 'run hoopctl requests' });
  return ask(() =>
    select(
      {
        message: `Request to ${decision}`,
        choices: open.map((r) => ({
          name: `${r.id}  ${r.user}: ${r.summary} on ${r.connection}${r.reason === undefined ? '' : ` — “${r.reason}”`}`,
          value: r.id,
          description: `${r.kind} request, rule ${r.rule}; ${r.approvals.length}/${r.minApprovals} approvals from ${r.approvers.join(', ')}`,
        })),
      },
      io,
    ),
  );
}

/** Asks before a revoke; false when the person says no. */
export async function confirmRevoke(io: PromptIo, what: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return ask(() => confirm({ message: `Revoke ${what}? Its kubectl connections are cut at once`, default: false }, io));
}

/** The usage error when a required operand is missing and hoopctl may not ask for it. */
export function missingOperand(what: string, hint: string): HoopError {
  return new HoopError('usage', `missing ${what} (hoopctl asks for it only on a terminal, without --no-input and outside CI)`, { hint });
}
