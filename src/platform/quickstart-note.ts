/**
 * What the last `hoopctl quickstart` left behind (`$XDG_STATE_HOME/hoopctl/quickstart.json`): its directory, its
 * gateway and its pid. Kept outside the config dir so the quickstart never touches the user's own login; read when a
 * command finds no login, to say that the demo stack stopped rather than "not logged in".
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from './secure-file.js';

/** The remembered quickstart. */
export interface QuickstartNote {
  dir: string;
  /** False for a temporary directory, removed when the quickstart ended. */
  kept: boolean;
  gatewayUrl: string;
  pid: number;
}

/** Path of the note under the XDG state home. */
export function quickstartNotePath(env: NodeJS.ProcessEnv): string {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(stateHome, 'hoopctl', 'quickstart.json');
}

/** Remembers a started quickstart. */
export async function saveQuickstartNote(env: NodeJS.ProcessEnv, note: QuickstartNote): Promise<void> {
  await writePrivateFile(quickstartNotePath(env), `${JSON.stringify(note, null, 2)}\n`);
}

/** The remembered quickstart, or undefined when there is none or the note is unreadable (it only improves messages). */
export async function loadQuickstartNote(env: NodeJS.ProcessEnv): Promise<QuickstartNote | undefined> {
  try {
    const n = JSON.parse(await readFile(quickstartNotePath(env), 'utf8')) as Partial<QuickstartNote>;
    if (typeof n.dir !== 'string' || typeof n.gatewayUrl !== 'string' || typeof n.pid !== 'number') return undefined;
    return { dir: n.dir, kept: n.kept === true, gatewayUrl: n.gatewayUrl, pid: n.pid };
  } catch {
    return undefined;
  }
}
