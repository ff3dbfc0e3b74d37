// The few files a simulated container shows to `ls`, `cd` and `cat FILE`: a fixed, read-only tree that says
// what it is. Nothing here reads or lists the real machine.

/** The commands the simulated shell knows, as `ls /bin` and `help` list them. */
export const SIMULATED_COMMANDS = ['cat', 'cd', 'echo', 'env', 'exit', 'false', 'help', 'hostname', 'ls', 'printf', 'pwd', 'sh', 'sleep', 'true', 'yes'];

type Node = string | ((env: Record<string, string>) => string) | { dir: string[] };

const OS_RELEASE = 'NAME="hoopctl simulated container"\nPRETTY_NAME="hoopctl quickstart simulated container (no real container runs here)"\nID=simulated\n';

const TREE: Record<string, Node> = {
  '/': { dir: ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sys', 'tmp', 'usr', 'var'] },
  '/bin': { dir: SIMULATED_COMMANDS.filter((c) => !['cd', 'exit', 'help'].includes(c)) },
  '/etc': { dir: ['hostname', 'hosts', 'os-release'] },
  '/etc/hostname': (env) => `${env.HOSTNAME ?? ''}\n`,
  '/etc/hosts': (env) => `127.0.0.1\tlocalhost\n10.244.0.10\t${env.HOSTNAME ?? ''}\n`,
  '/etc/os-release': OS_RELEASE,
  '/dev': { dir: [] },
  '/home': { dir: [] },
  '/proc': { dir: [] },
  '/root': { dir: [] },
  '/sys': { dir: [] },
  '/tmp': { dir: [] },
  '/usr': { dir: [] },
  '/var': { dir: [] },
};

/** `path` made absolute against `cwd`, with `.` and `..` resolved. */
export function resolvePath(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const p of `${path.startsWith('/') ? '' : cwd}/${path}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** What a command printed and its exit code. */
export interface FileAnswer {
  out: string;
  err: string;
  code: number;
}

const ok = (out: string): FileAnswer => ({ out, err: '', code: 0 });
const fail = (err: string, code = 1): FileAnswer => ({ out: '', err, code });

/** `ls [PATH…]`: one name a line, as ls prints into a pipe. */
export function listFiles(args: string[], env: Record<string, string>): FileAnswer {
  const paths = args.filter((a) => !a.startsWith('-'));
  let out = '';
  let err = '';
  for (const p of paths.length === 0 ? ['.'] : paths) {
    const node = TREE[resolvePath(env.PWD ?? '/', p)];
    if (node === undefined) {
      err += `ls: ${p}: No such file or directory\n`;
      continue;
    }
    const names = typeof node === 'object' ? node.dir : [p];
    out += `${paths.length > 1 ? `${p}:\n` : ''}${names.map((n) => `${n}\n`).join('')}`;
  }
  return { out, err, code: err === '' ? 0 : 1 };
}

/** `cat FILE…` */
export function readFiles(args: string[], env: Record<string, string>): FileAnswer {
  let out = '';
  for (const p of args) {
    const node = TREE[resolvePath(env.PWD ?? '/', p)];
    if (node === undefined) return { ...fail(`cat: can't open '${p}': No such file or directory\n`), out };
    if (typeof node === 'object') return { ...fail(`cat: read error: Is a directory\n`), out };
    out += typeof node === 'string' ? node : node(env);
  }
  return ok(out);
}

/** `cd [DIR]`: changes env.PWD. */
export function changeDirectory(args: string[], env: Record<string, string>): FileAnswer {
  const target = resolvePath(env.PWD ?? '/', args[0] ?? env.HOME ?? '/');
  const node = TREE[target];
  if (node === undefined) return fail(`sh: cd: can't cd to ${args[0] ?? ''}: No such file or directory\n`, 2);
  if (typeof node !== 'object') return fail(`sh: cd: can't cd to ${args[0] ?? ''}: Not a directory\n`, 2);
  env.PWD = target;
  return ok('');
}

/** `help`: what the simulation knows. */
export function helpText(): string {
  return (
    `This is hoopctl's simulated container: no real container runs here.\nCommands: ${SIMULATED_COMMANDS.join(' ')}\n` +
    'Also: `;` and `&&` lists, `CMD | head -c N` or `head -n N`, `CMD >&2`, `exit N`. Ctrl-D or exit leaves.\n'
  );
}
