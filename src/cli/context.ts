/** What every command receives from the entry point: environment, output and the CLI's own location. */
import type { Output } from './output.js';

/** The command context; commands never touch `process` directly except through this. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: Output;
  /** Absolute path of the compiled entry (dist/src/cli/main.js), used to re-spawn the CLI as a session daemon. */
  entry: string;
  verbose: boolean;
}

/** Thrown by a command to exit with a given status (exec passes its child's code through). */
export class ExitRequest {
  constructor(readonly code: number) {}
}
