// The user's install path (README): `npm pack` the built repo, `npm install -g` the tarball into an empty prefix with
// an empty npm cache (dependencies come from the npm registry, as for a user), and run `hoopctl quickstart --tour` from
// that prefix, outside the repository. Catches what the repo's own tests cannot: a file the product needs but
// package.json `files` leaves out, a runtime path into the repo, a dependency only present as a dev dependency, and an
// install script the README's `--allow-scripts` list does not cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempHome, repoRoot, runCli } from '../support/cli-runner.js';

/** What `npm pack --json` says about the tarball (the fields read here). */
interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** The caller's environment without the npm_* variables `npm test` sets (its cache, prefix and package fields). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * better-sqlite3's install script runs prebuild-install (which downloads from GitHub, unreachable here and often in
 * CI), then falls back to compiling SQLite with node-gyp: ~1 CPU-minute, several on a loaded machine. prebuild-install
 * first looks in `<npm cache>/_prebuilds/` for an archive it downloaded before; put the module this repo's `npm ci`
 * already compiled there, so the install script still runs but finds it. Returns false (the install then compiles,
 * slower but just as valid) when the repo's copy is not the pinned version.
 */
async function seedBetterSqlitePrebuild(cache: string): Promise<boolean> {
  const pinned = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['better-sqlite3'];
  const local = join(repoRoot, 'node_modules', 'better-sqlite3');
  const version = (JSON.parse(readFileSync(join(local, 'package.json'), 'utf8')) as { version: string }).version;
  if (version !== pinned || !existsSync(join(local, 'build', 'Release', 'better_sqlite3.node'))) return false;
  // prebuild-install's names: util.getDownloadUrl and util.cachedPrebuild (sha512 of the URL, 6 hex digits).
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const url = `https://github.com/WiseLibs/better-sqlite3/releases/download/v${version}/${name}`;
  const digest = createHash('sha512').update(url).digest('hex').slice(0, 6);
  await mkdir(join(cache, '_prebuilds'), { recursive: true });
  const tar = await runCli(['-czf', join(cache, '_prebuilds', `${digest}-${name}`), '-C', local, 'build/Release/better_sqlite3.node'], cleanEnv(), {
    command: 'tar',
  });
  assert.equal(tar.code, 0, tar.stderr);
  return true;
}

test('npm pack → npm install -g into an empty prefix → hoopctl quickstart --tour from there exits 0', { timeout: 600_000 }, async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'hoop-pack-'));
  const home = await createTempHome();
  try {
    const cache = join(tmp, 'npm-cache');
    const prefix = join(tmp, 'prefix');

    const pack = await runCli(['pack', '--json', '--pack-destination', tmp], cleanEnv({ npm_config_cache: cache }), { command: 'npm', timeoutMs: 120_000 });
    assert.equal(pack.code, 0, pack.stderr);
    const info = (JSON.parse(pack.stdout) as PackInfo[])[0]!;
    const paths = info.files.map((f) => f.path);
    t.diagnostic(`tarball ${info.filename}: ${info.size} bytes, ${info.entryCount} files, ${info.unpackedSize} bytes unpacked`);
    // Only what the product runs: the shim, the compiled src (no tests, no source maps), templates, README, manifest.
    const stray = paths.filter((p) => !/^(bin\/|dist\/src\/|templates\/)|^(README\.md|package\.json|LICENSE[^/]*)$/.test(p) || /\.map$|\.test\.js$/.test(p));
    assert.deepEqual(stray, [], 'files the product does not need');
    for (const needed of ['bin/hoopctl', 'dist/src/cli/main.js', 'dist/src/simulated-cluster/index.js', 'templates/policy.example.yaml']) {
      assert.ok(paths.includes(needed), `${needed} is in the tarball`);
    }

    const seeded = await seedBetterSqlitePrebuild(cache);
    t.diagnostic(seeded ? "better-sqlite3: the repo's compiled module seeded as a cached prebuild" : 'better-sqlite3: compiled from source during the install');
    // npm 11.19's --strict-allow-scripts lstat()s <prefix>/lib before creating it (ENOENT on an empty prefix).
    await mkdir(join(prefix, 'lib'), { recursive: true });
    // The README's command. --strict-allow-scripts turns "install scripts not covered" from a warning into a failure,
    // so a new dependency with an install script fails here until the README names it.
    const install = await runCli(
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--cache',
        cache,
        '--allow-scripts=better-sqlite3',
        '--strict-allow-scripts',
        '--no-audit',
        '--no-fund',
        join(tmp, info.filename),
      ],
      cleanEnv(),
      { command: 'npm', cwd: tmp, timeoutMs: 540_000 },
    );
    assert.equal(install.code, 0, `npm install -g (needs the npm registry):\n${install.stderr}${install.stdout}`);
    assert.doesNotMatch(install.stderr, /install-scripts|Unknown .*config/);
    const installed = join(prefix, 'lib', 'node_modules', 'hoopctl');
    assert.ok(existsSync(join(installed, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'the native module is in place');
    assert.ok(!existsSync(join(installed, 'dist', 'test')), 'no compiled test tree is installed');

    // From the prefix, outside the repo: its bin first on PATH, a temp HOME, its own TMPDIR.
    const env = { ...home.env, PATH: `${join(prefix, 'bin')}:${home.env.PATH ?? ''}`, TMPDIR: tmp };
    const r = await runCli(['quickstart', '--tour'], env, { command: join(prefix, 'bin', 'hoopctl'), cwd: home.dir, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /SIMULATED demo cluster/);
    assert.match(r.stdout, /web-\S+\s+1\/1\s+Running/);
    assert.match(r.stdout, /alice@example\.com\s+demo\s+deny\s+403\s+delete\s+namespaces/);
    assert.match(r.stderr, /tour complete/);
  } finally {
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  }
});
