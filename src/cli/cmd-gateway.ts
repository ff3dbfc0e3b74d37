/** `hoopctl gateway serve`: runs the gateway until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import type { CliContext } from './context.js';
import { waitForSignal } from './signals.js';

/** Starts the gateway from a config file and serves until a termination signal. */
export async function runGatewayServe(ctx: CliContext, opts: { config: string }): Promise<void> {
  const { startGatewayFromConfigFile } = await import('../gateway/serve.js');
  const gateway = await startGatewayFromConfigFile(resolve(ctx.cwd, opts.config), {
    env: ctx.env,
    log: (line: string) => ctx.out.stderr.write(`${line}\n`),
  });
  const signal = await waitForSignal(['SIGINT', 'SIGTERM']);
  ctx.out.stderr.write(`received ${signal}, stopping the gateway\n`);
  await gateway.close();
}
