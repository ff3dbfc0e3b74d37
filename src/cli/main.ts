/** hoopctl entry point: builds the commander program and is the only place that exits. Heavy modules load lazily per command. */
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { HoopError } from '../errors.js';
import { exitCodeFor } from './exit-codes.js';
import { outputFlushed } from './exit-flush.js';
import { createOutput } from './output.js';
import { ExitRequest, type CliContext } from './context.js';

const entry = fileURLToPath(import.meta.url);

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

async function main(argv: string[]): Promise<number> {
  const out = createOutput(process.stdout, process.stderr, process.env);
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const wantsJson = argv.some((a, i) => (a === '-o' || a === '--output') && argv[i + 1] === 'json') || argv.includes('-ojson');
  const ctx: CliContext = { env: process.env, cwd: process.cwd(), out, entry, verbose };
  const program = new Command('hoopctl');
  program
    .description('just-in-time, audited, masked access to Kubernetes')
    .version(readVersion(), '--version')
    .option('-v, --verbose', 'print stack traces and debug details')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .showHelpAfterError('(run hoopctl --help for usage)');

  const { registerCommands } = await import('./commands.js');
  registerCommands(program, ctx);

  if (argv[0] === '__complete') {
    // Shell completion (see completion-scripts.ts): candidates one per line, never an error on stderr.
    const { completeWords } = await import('./complete-words.js');
    const { createCompletionValues } = await import('./completion-values.js');
    const words = argv.length > 1 ? argv.slice(1) : [''];
    const found = await completeWords(program, words, createCompletionValues(process.env)).catch(() => []);
    process.stdout.write(found.map((w) => `${w}\n`).join(''));
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof ExitRequest) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return e.exitCode === 0 ? 0 : 2;
    }
    const { explainQuickstartError } = await import('./quickstart-stopped.js');
    const shown = await explainQuickstartError(e, ctx.env);
    out.printError(shown, { json: wantsJson, verbose });
    return shown instanceof HoopError ? exitCodeFor(shown.code) : 1;
  }
}

main(process.argv.slice(2)).then(
  async (code) => {
    // Only after stdout and stderr are flushed: process.exit drops what a full pipe still has queued.
    await outputFlushed();
    // Exit explicitly: undici pools and timers of a finished command must not keep the process alive.
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`error: internal error (a bug in hoopctl): ${String(e)}\n`);
    process.exitCode = 1;
  },
);
