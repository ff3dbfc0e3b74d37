/** Where hoopctl keeps its files (XDG Base Directory spec, https://specifications.freedesktop.org/basedir-spec/latest/). */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Directories hoopctl uses; every one is created 0700 by secure-file helpers when first written. */
export interface HoopPaths {
  /** `$XDG_CONFIG_HOME/hoopctl`: CLI config (remembered gateway) and the file token store. */
  configDir: string;
  /** `$XDG_RUNTIME_DIR/hoopctl` or `$XDG_STATE_HOME/hoopctl`: per-session dirs (kubeconfig, session.json). */
  runtimeDir: string;
  /** Per-session directories live here. */
  sessionsDir: string;
}

/** Resolves hoopctl's directories from an environment (pass `process.env`; tests pass their own). */
export function resolvePaths(env: NodeJS.ProcessEnv): HoopPaths {
  const home = env.HOME && env.HOME !== '' ? env.HOME : homedir();
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config');
  const stateHome = env.XDG_STATE_HOME && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  // XDG_RUNTIME_DIR is per-user tmpfs cleared at logout: the best home for short-lived credentials.
  const runtimeBase = env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR !== '' ? env.XDG_RUNTIME_DIR : stateHome;
  const runtimeDir = join(runtimeBase, 'hoopctl');
  return { configDir: join(configHome, 'hoopctl'), runtimeDir, sessionsDir: join(runtimeDir, 'sessions') };
}
