/**
 * JSON-patch operations (RFC 6902) that let kube-apiserver move data the gateway masks by position into a place it
 * does not mask: `copy` and `move` with a `from` (a Secret's `data.pw` copied to an annotation comes back in clear,
 * with `?dryRun=All` even without storing anything), and `test`, which answers "equal or not" for any value and so
 * lets a caller check guesses. The gateway refuses them; kubectl itself never sends them (its JSON patches, e.g. the
 * server-side-apply migration, use add / replace / remove), and `test` stays allowed on the fields optimistic
 * concurrency uses.
 */

const TESTABLE = new Set(['/metadata/resourceVersion', '/metadata/uid', '/metadata/generation']);

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
  }
  return undefined;
}
