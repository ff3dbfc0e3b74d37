/** `hoopctl gateway serve`: runs the gateway until SIGINT/SIGTERM. */
import { resolve } from 'node:path';
import type { CliContext } from './context.js';
import { waitForSignal } from './signals.js';

/** Starts the gateway from a config file and serves until SIGTERM/SIGINT, then drains (short requests finish, streams close) and exits 0. */
export async function runGatewayServe(ctx: CliContext, opts: { config: string }): Promise<void> {
  const { startGatewayFromConfigFile } = await import('../gateway/serve.js');
  const { createGatewayLogger } = await import('../gateway/gateway-logger.js');
  const format = ctx.env.HOOPCTL_LOG_FORMAT;
  const log = createGatewayLogger({ stream: ctx.out.stderr, format: format === 'json' || format === 'text' ? format : 'auto' });
  const gateway = await startGatewayFromConfigFile(resolve(ctx.cwd, opts.config), { env: ctx.env, log });
  const signal = await waitForSignal(['SIGINT', 'SIGTERM']);
  log(`received ${signal}: draining (unready, no new requests, streams closed)`, { signal });
  await gateway.drain();
  await gateway.close();
  log('gateway stopped');
}

/** `hoopctl gateway migrate`: brings the store's schema up to this version and exits (for a deploy job before the rollout). */
export async function runGatewayMigrate(ctx: CliContext, opts: { config: string }): Promise<void> {
  const { readGatewayConfigFile, openGatewayStore } = await import('../gateway/serve.js');
  const config = await readGatewayConfigFile(resolve(ctx.cwd, opts.config), ctx.env);
  const { store, name, schemaVersion } = await openGatewayStore(config, (line) => ctx.out.stderr.write(`${line}\n`));
  await store.close();
  ctx.out.stdout.write(`store ${name}: schema at version ${schemaVersion}\n`);
}

/** `hoopctl gateway rotate-key`: a new signing key becomes current on every replica (within seconds); `--retire-previous` also refuses the old keys' tokens. */
export async function runGatewayRotateKey(ctx: CliContext, opts: { config: string; retirePrevious?: boolean }): Promise<void> {
  const { readGatewayConfigFile, openGatewayStore } = await import('../gateway/serve.js');
  const { rotateSigningKey } = await import('../gateway/signing-keys.js');
  const config = await readGatewayConfigFile(resolve(ctx.cwd, opts.config), ctx.env);
  const { store } = await openGatewayStore(config, (line) => ctx.out.stderr.write(`${line}\n`));
  try {
    const r = await rotateSigningKey(store, { now: Date.now, retirePrevious: opts.retirePrevious === true });
    ctx.out.stdout.write(`signing key ${r.kid} is current; replicas pick it up within 10s\n`);
    if (r.retired.length > 0) {
      ctx.out.stdout.write(`retired ${r.retired.join(', ')}: sessions signed with them are refused; their users run hoopctl connect again\n`);
    } else {
      ctx.out.stdout.write('the previous key stays in JWKS until every session it signed has expired\n');
    }
  } finally {
    await store.close();
  }
}
