/**
 * JSON-patch operations (RFC 6902) that let kube-apiserver move data the gateway masks by position into a place it
 * does not mask: `copy` and `move` with a `from` (a Secret's `data.pw` copied to an annotation comes back in clear,
 * with `?dryRun=All` even without storing anything), and `test`, which answers "equal or not" for any value and so
 * lets a caller check guesses. The gateway refuses them; kubectl itself never sends them (its JSON patches, e.g. the
 * server-side-apply migration, use add / replace / remove), and `test` stays allowed on the fields optimistic
 * concurrency uses.
 *
 * add / replace / remove are refused too where they change a field a masking decision rests on while the masked
 * value stays where it is (mask-object.ts): the `name` of a container env entry (its value is masked because the name
 * matches a pattern, so renaming `DB_PASSWORD` to `PLAIN` would show the kept value in clear — even in a dry run)
 * and the object's `kind` (a Secret's data is masked because it is a Secret). Segments compare without case, so no
 * decoder's case folding can reach them another way. Merge patches replace env lists whole, and strategic merge and
 * apply patches merge env entries by name, so those cannot rename an entry without sending its value.
 */

const TESTABLE = new Set(['/metadata/resourceVersion', '/metadata/uid', '/metadata/generation']);

// RFC 6901 pointer segments, `~1` and `~0` unescaped, lower-cased.
const segments = (path: string): string[] =>
  path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~').toLowerCase());

/** Why an add / replace / remove at `path` would unmask a value it leaves in place, or undefined. */
function unmasksByRename(i: number, name: string, path: string): string | undefined {
  const at = segments(path);
  if (at.length >= 3 && at[at.length - 1] === 'name' && at[at.length - 3] === 'env') {
    const entry = path.slice(0, path.lastIndexOf('/'));
    return (
      `operation [${i}] "${name}" on ${JSON.stringify(path)} would rename an environment variable and keep its value, which hoopctl masks by the name; ` +
      `replace the whole entry with its value instead: {"op":"replace","path":${JSON.stringify(entry)},"value":{"name":"<new name>","value":"<value>"}} (or remove it and add it again)`
    );
  }
  if (at.length === 1 && (at[0] === 'kind' || at[0] === 'apiversion')) {
    return `operation [${i}] "${name}" on ${JSON.stringify(path)} would change what kind of object hoopctl masks the answer as; an object's kind cannot change: delete it and create the new one`;
  }
  return undefined;
}

/** Why a JSON-patch body is refused, or undefined when every operation is one the gateway can let through. */
export function refusedJsonPatchOp(body: unknown): string | undefined {
  if (!Array.isArray(body)) return undefined;
  for (const [i, op] of body.entries()) {
    if (op === null || typeof op !== 'object') continue;
    const { op: name, path } = op as { op?: unknown; path?: unknown };
    if (typeof name !== 'string') continue;
    const kind = name.toLowerCase();
    if (kind === 'copy' || kind === 'move') {
      return `operation [${i}] "${name}" could copy a value hoopctl masks into a field it does not mask; use add, replace or remove with the value itself`;
    }
    if (kind === 'test' && !(typeof path === 'string' && TESTABLE.has(path))) {
      return `operation [${i}] "test" on ${JSON.stringify(path)} would tell whether a masked value equals a guess; test only /metadata/resourceVersion, /metadata/uid or /metadata/generation`;
    }
    if (kind !== 'test' && typeof path === 'string') {
      const why = unmasksByRename(i, name, path);
      if (why !== undefined) return why;
    }
  }
  return undefined;
}
