/** Settings the CLI remembers between commands (`$XDG_CONFIG_HOME/hoopctl/config.json`, 0600). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HoopError } from '../errors.js';
import type { HoopPaths } from './paths.js';
import { writePrivateFile } from './secure-file.js';

/** What `hoopctl login --gateway URL` remembers for later commands. */
export interface CliConfig {
  gateway?: string;
}

/** Path of the remembered settings. */
export function cliConfigPath(paths: HoopPaths): string {
  return join(paths.configDir, 'config.json');
}

/** Reads the remembered settings; a missing file is an empty config. */
export async function loadCliConfig(paths: HoopPaths): Promise<CliConfig> {
  const file = cliConfigPath(paths);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new HoopError('config_invalid', `cannot read ${file}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HoopError('config_invalid', `${file} is not valid JSON`, { hint: `fix or delete ${file}`, cause });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new HoopError('config_invalid', `${file} must hold a JSON object`, { hint: `fix or delete ${file}` });
  }
  const { gateway } = json as Record<string, unknown>;
  if (gateway !== undefined && typeof gateway !== 'string') {
    throw new HoopError('config_invalid', `"gateway" in ${file} must be a URL string`, { hint: 'run hoopctl login --gateway URL' });
  }
  return gateway === undefined ? {} : { gateway };
}

/** Writes the remembered settings atomically, 0600 in a 0700 dir (the file may later hold more than a URL). */
export async function saveCliConfig(paths: HoopPaths, cfg: CliConfig): Promise<void> {
  await writePrivateFile(cliConfigPath(paths), `${JSON.stringify(cfg, null, 2)}\n`);
}
