/**
 * Turns kubectl-style words (`get pods -n demo`, `delete namespace x`, `exec -n demo web -- sh`,
 * `logs web`) into the one API request that decides the command, for `hoopctl policy explain`.
 * Not a kubectl clone: discovery, server-side lookups and multi-request commands are out of scope.
 */
import { HoopError } from '../errors.js';
import { findResource, type KnownResource } from './known-resources.js';

/** The request a kubectl command would send. */
export interface KubectlRequest {
  method: string;
  path: string;
}

/** Flags that take a value; their values are not positional words. */
const VALUE_FLAGS = new Set([
  '-n',
  '--namespace',
  '-c',
  '--container',
  '-o',
  '--output',
  '-l',
  '--selector',
  '--context',
  '--field-selector',
  '--image',
  '--target',
  '--replicas',
]);

interface Words {
  positional: string[];
  flags: Map<string, string>;
  command: string[];
}

/** Translates kubectl words (without the leading `kubectl`) to method + path; HoopError('usage') when it cannot. */
export function kubectlToRequest(words: readonly string[]): KubectlRequest {
  const w = splitWords(words);
  const [verb, ...args] = w.positional;
  const ns = w.flags.get('-n') ?? w.flags.get('--namespace') ?? 'default';
  const all = w.flags.has('-A') || w.flags.has('--all-namespaces');
  const query = new URLSearchParams();
  const selector = w.flags.get('-l') ?? w.flags.get('--selector');
  if (selector !== undefined) query.set('labelSelector', selector);
  const fail = (why: string): never => {
    throw new HoopError('usage', `cannot explain "kubectl ${words.join(' ')}": ${why}`, { hint: 'give the request itself with --method and --path' });
  };

  switch (verb) {
    case 'version':
      return { method: 'GET', path: '/version' };
    case 'api-resources':
      return { method: 'GET', path: '/apis' };
    case 'api-versions':
      return { method: 'GET', path: '/apis' };
    case 'get':
    case 'describe':
    case 'delete':
    case 'create':
    case 'edit':
    case 'patch':
    case 'label':
    case 'annotate':
    case 'scale':
    case 'replace': {
      const { resource, name } = target(args, fail, verb === 'create');
      const namespace = resource.namespaced && !(all && name === '') ? ns : '';
      const method = { get: 'GET', describe: 'GET', delete: 'DELETE', create: 'POST', replace: 'PUT' }[verb as string] ?? 'PATCH';
      if (method === 'PATCH' && name === '') fail(`${verb} needs a name`);
      const watching = w.flags.has('-w') || w.flags.has('--watch');
      if (verb === 'get' && watching) {
        // kubectl watches a single object as a list narrowed by a field selector.
        if (name !== '') query.set('fieldSelector', `metadata.name=${name}`);
        query.set('watch', 'true');
        return withQuery('GET', resourcePath(resource, namespace, ''), query);
      }
      return withQuery(method, resourcePath(resource, namespace, method === 'POST' ? '' : name, verb === 'scale' ? 'scale' : ''), query);
    }
    case 'logs': {
      const pod = podName(args[0], fail);
      if (w.flags.has('-f') || w.flags.has('--follow')) query.set('follow', 'true');
      const container = w.flags.get('-c') ?? w.flags.get('--container');
      if (container !== undefined) query.set('container', container);
      return withQuery('GET', resourcePath(pods(), ns, pod, 'log'), query);
    }
    case 'exec':
    case 'attach':
    case 'port-forward':
    case 'debug': {
      const pod = podName(args[0], fail);
      if (verb === 'debug') return { method: 'PATCH', path: resourcePath(pods(), ns, pod, 'ephemeralcontainers') };
      if (verb === 'port-forward') return { method: 'POST', path: resourcePath(pods(), ns, pod, 'portforward') };
      for (const c of w.command) query.append('command', c);
      // kubectl 1.30+ first tries a WebSocket upgrade, which arrives as GET; classification is the same either way.
      return withQuery('GET', resourcePath(pods(), ns, pod, verb), query);
    }
    case 'auth': {
      if (args[0] === 'whoami') return { method: 'POST', path: '/apis/authentication.k8s.io/v1/selfsubjectreviews' };
      if (args[0] === 'can-i') return { method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' };
      return fail('only "auth whoami" and "auth can-i" are known');
    }
    case undefined:
      return fail('no kubectl command given');
    default:
      return fail(
        `"${verb}" is not a command this translator knows (get, describe, create, delete, edit, patch, label, annotate, scale, replace, logs, exec, attach, port-forward, debug, auth, version)`,
      );
  }
}

function splitWords(words: readonly string[]): Words {
  const out: Words = { positional: [], flags: new Map(), command: [] };
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--') {
      out.command = words.slice(i + 1);
      break;
    }
    if (!word.startsWith('-') || word === '-') {
      out.positional.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    if (eq !== -1) out.flags.set(word.slice(0, eq), word.slice(eq + 1));
    else if (VALUE_FLAGS.has(word)) out.flags.set(word, words[++i] ?? '');
    else if (/^-[a-zA-Z]{2,}$/.test(word))
      for (const ch of word.slice(1)) out.flags.set(`-${ch}`, ''); // -it
    else out.flags.set(word, '');
  }
  return out;
}

function target(args: string[], fail: (why: string) => never, creating: boolean): { resource: KnownResource; name: string } {
  const first = args[0] ?? fail('no resource given');
  if (first.includes(',')) fail('several resource types at once');
  const slash = first.indexOf('/');
  const typeWord = slash === -1 ? first : first.slice(0, slash);
  // `create secret generic x`: the secret type word is not a name.
  const rest = creating && typeWord.startsWith('secret') ? args.slice(2) : args.slice(1);
  const name = slash === -1 ? (rest[0] ?? '') : first.slice(slash + 1);
  const resource = findResource(typeWord) ?? fail(`unknown resource type "${typeWord}" (use plural.group for custom resources)`);
  return { resource, name };
}

function podName(word: string | undefined, fail: (why: string) => never): string {
  if (word === undefined) return fail('no pod given');
  if (!word.includes('/')) return word;
  const [kind = '', name = ''] = word.split('/');
  if (findResource(kind)?.resource !== 'pods') fail(`"${word}" is resolved to a pod by kubectl at run time; name the pod`);
  return name;
}

function pods(): KnownResource {
  return findResource('pods') as KnownResource;
}

function resourcePath(res: KnownResource, namespace: string, name: string, subresource = ''): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const ns = res.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const named = name === '' ? '' : `/${encodeURIComponent(name)}${subresource === '' ? '' : `/${subresource}`}`;
  return `${base}${ns}/${res.resource}${named}`;
}

function withQuery(method: string, path: string, query: URLSearchParams): KubectlRequest {
  const q = query.toString();
  return { method, path: q === '' ? path : `${path}?${q}` };
}
