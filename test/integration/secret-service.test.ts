// The keychain path on a real Secret Service (gnome-keyring on a private D-Bus session), as
// DEPENDENCIES.md describes. Skips, saying why, where gnome-keyring or dbus is not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/cli-runner.js';

const missing = ['gnome-keyring-daemon', 'dbus-run-session'].filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
const reason = missing.length === 0 ? false : `${missing.join(' and ')} not installed (Debian: apt-get install gnome-keyring dbus)`;
if (reason !== false) process.stdout.write(`# skipping the Secret Service test: ${reason}\n`);

test('with a Secret Service the login goes to the keychain, not a file; whoami and logout say so', { skip: reason, timeout: 20_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'hoopctl-keyring-'));
  try {
    // Start the daemon ourselves: one that D-Bus activates would use the real HOME and a locked keyring.
    const script =
      'export HOME="$T" XDG_RUNTIME_DIR="$T/run" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"; mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"; ' +
      'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec node --import tsx test/support/secret-service-check.ts';
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, T: home, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 18_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(out.kind, 'keychain');
    assert.equal(out.roundTrip, true);
    assert.equal(out.inKeychain, true);
    assert.equal(out.fileExists, false, 'no token file next to the keychain');
    assert.equal(out.whoamiCode, 0);
    assert.deepEqual((JSON.parse(out.whoami as string) as { store: unknown }).store, { kind: 'keychain', location: 'hoopctl' });
    assert.equal(out.logoutCode, 0);
    assert.equal(out.afterLogout, true);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
