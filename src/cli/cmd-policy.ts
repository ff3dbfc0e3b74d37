/** `hoopctl policy check | explain`: offline validation and decisions, no gateway needed. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HoopError } from '../errors.js';
import type { CliContext } from './context.js';

const fileDeps = { readFile: (p: string) => readFile(p, 'utf8') };

/** Validates a gateway config or policy file; a bad rule fails with its path in the message. */
export async function runPolicyCheck(ctx: CliContext, file: string): Promise<void> {
  const { checkPolicyFile } = await import('../usecases/policy-check.js');
  const r = await checkPolicyFile({ ...fileDeps, env: ctx.env }, resolve(ctx.cwd, file));
  ctx.out.stdout.write(`${file}: ok (${r.wholeConfig ? 'gateway config; ' : ''}${r.roles} roles, ${r.bindings} bindings, ${r.guardrails} guardrails)\n`);
}

/** Prints the decision (and the rule that made it) for one request. */
export async function runPolicyExplain(ctx: CliContext, words: string[], opts: Record<string, string>): Promise<void> {
  const { explainRequest } = await import('../usecases/policy-explain.js');
  const common = {
    file: resolve(ctx.cwd, opts.file ?? ''),
    user: opts.as ?? '',
    groups: (opts.groups ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== ''),
    connection: opts.connection ?? '',
    ...(opts.role === undefined ? {} : { role: opts.role }),
    ...(opts.sessionNamespace === undefined ? {} : { sessionNamespace: opts.sessionNamespace }),
  };
  let input;
  if (opts.method !== undefined || opts.path !== undefined) {
    if (opts.method === undefined || opts.path === undefined) throw new HoopError('usage', '--method and --path go together');
    input = { ...common, method: opts.method, path: opts.path };
  } else {
    if (words.length === 0)
      throw new HoopError('usage', 'give a kubectl-style request after --, or --method and --path', {
        hint: 'hoopctl policy explain -f gateway.yaml --as alice --groups dev --connection prod -- get pods -n demo',
      });
    input = { ...common, kubectl: words[0] === 'kubectl' ? words.slice(1) : words };
  }
  const r = await explainRequest(fileDeps, input);
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const c = ctx.out.c;
  const effect = r.decision.effect === 'allow' ? c.green('ALLOW') : r.decision.effect === 'deny' ? c.red('DENY') : c.yellow('NEEDS APPROVAL');
  const i = r.request;
  const what = i.isResourceRequest
    ? `${i.verb} ${i.apiGroup === '' ? '' : `${i.apiGroup}/`}${i.resource}${i.subresource === '' ? '' : `/${i.subresource}`}${i.name === '' ? '' : ` "${i.name}"`}${i.namespace === '' ? '' : ` in namespace "${i.namespace}"`}`
    : `${i.verb} ${i.path}`;
  ctx.out.stdout.write(
    [`request:  ${r.method} ${r.path}`, `as:       ${what}`, `decision: ${effect}`, `rule:     ${r.decision.rule}`, `reason:   ${r.decision.reason}`]
      .concat(r.decision.hint === undefined ? [] : [`hint:     ${r.decision.hint}`])
      .join('\n') + '\n',
  );
}
