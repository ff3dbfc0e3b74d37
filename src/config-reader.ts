/**
 * The one way hoopctl reads its YAML files (the gateway config, bare policy files): zod schemas
 * built from the pieces below, and one formatter that turns every problem of a file into a line
 * `<file>: <path>: <reason>` (path `a.b[1]`), all of them at once rather than the first.
 */
import { z } from 'zod';
import { isNode, parseDocument } from 'yaml';
import { parseDuration } from './credential/duration.js';
import { HoopError } from './errors.js';

/** A place inside a file: mapping keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

/** One mistake in a file. */
export interface ConfigIssue {
  path: ConfigPath;
  message: string;
}

/** The result of reading a value with a schema: its typed output, or every issue found. */
export type ReadResult<T> = { ok: true; data: T } | { ok: false; issues: ConfigIssue[] };

/** `a.b[1]` form; the empty path is `(top level)`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const key of path) out = typeof key === 'number' ? `${out}[${key}]` : out === '' ? key : `${out}.${key}`;
  return out === '' ? '(top level)' : out;
}

/** A value as a message shows it: strings quoted (and cut at 40 characters), other kinds named. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'function') return 'a function';
  const scalar = v as number | boolean | bigint | symbol;
  return `${typeof v} ${String(scalar)}`;
}

/** The error for a file with issues: one line per issue, each `<file>: <path>: <reason>`. */
export function configInvalid(file: string, issues: readonly ConfigIssue[], options: { hint?: string; cause?: unknown } = {}): HoopError {
  const lines = issues.map((i) => `${file}: ${formatPath(i.path)}: ${i.message}`);
  return new HoopError('config_invalid', lines.join('\n'), options);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  int: 'an integer',
};

// Our wording for zod's issues; a message a schema set itself (a check's `error`, ctx.addIssue) wins over this map.
function errorMap(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.input === undefined && iss.code !== 'custom') return 'is required';
  switch (iss.code) {
    case 'invalid_type':
      return `must be ${TYPE_NAMES[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'string') return `must be a non-empty string, got ${describeValue(iss.input)}`;
      if (iss.origin === 'array') return 'must not be empty';
      return `must be at least ${String(iss.minimum)}`;
    case 'too_big':
      return `must be at most ${String(iss.maximum)}`;
    case 'invalid_value':
      return `${describeValue(iss.input)} is not one of: ${(iss.values as unknown[]).map(String).join(', ')}`;
    case 'invalid_union': {
      const disc = iss.discriminator;
      const given = disc !== undefined && isMapping(iss.input) ? iss.input[disc] : iss.input;
      return `${JSON.stringify(given)} is not one of: ${((iss.options ?? []) as unknown[]).map(String).join(', ')}`;
    }
    case 'unrecognized_keys': {
      // The allowed keys come from the object schema itself, so the list can never drift from the schema.
      const shape = (iss.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      return `unknown key (expected one of: ${Object.keys(shape ?? {}).join(', ')})`;
    }
    default:
      return undefined;
  }
}

/** Zod's issues as ours; an issue naming several unknown keys becomes one per key, each at its own path. */
export function issuesOf(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((i): ConfigIssue[] => {
    const path = i.path.map((k) => (typeof k === 'number' ? k : String(k)));
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ path: [...path, k], message: i.message }));
    return [{ path, message: i.message }];
  });
}

/** YAML writes an empty value (`key:`) as null; a key with nothing after it means "absent", as if unwritten. */
export function withoutNullKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNullKeys);
  if (!isMapping(v)) return v;
  // fromEntries defines own properties: a `__proto__` key stays a key (and is refused as unknown), never a prototype.
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => [k, withoutNullKeys(x)]),
  );
}

/** Checks `value` against `schema`; every issue at once, paths under `base`. */
export function readWith<S extends z.ZodType>(schema: S, value: unknown, base: ConfigPath = []): ReadResult<z.output<S>> {
  const r = schema.safeParse(withoutNullKeys(value), { reportInput: true, error: errorMap });
  if (r.success) return { ok: true, data: r.data };
  return { ok: false, issues: issuesOf(r.error).map((i) => ({ path: [...base, ...i.path], message: i.message })) };
}

/** A parsed YAML file: its value, and where a path sits in the text (so issues can be listed in file order). */
export interface YamlFile {
  value: unknown;
  /** Offset of the deepest node on `path` that exists (a missing key: its mapping). */
  offsetOf(path: ConfigPath): number;
}

/** Parses YAML text; every syntax error with its line and column, or the file. */
export function parseYamlText(text: string): ReadResult<YamlFile> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // The message's first line without its own " at line L, column C:" (the place is the path here), and no snippet.
        const reason = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { path: at === undefined ? [] : [`line ${at.line}, column ${at.col}`], message: `not valid YAML: ${reason}` };
      }),
    };
  }
  const offsetOf = (path: ConfigPath): number => {
    for (let n = path.length; n > 0; n--) {
      const node: unknown = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return node.range[0];
    }
    return 0;
  };
  return { ok: true, data: { value: doc.toJS() as unknown, offsetOf } };
}

/** The issues sorted as their places appear in the file (stable: issues at one place keep their order). */
export function inFileOrder(issues: readonly ConfigIssue[], file: YamlFile): ConfigIssue[] {
  return issues
    .map((i) => ({ i, at: file.offsetOf(i.path) }))
    .sort((a, b) => a.at - b.at)
    .map(({ i }) => i);
}

/** True for a YAML mapping (not a list, not a scalar). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ——— Building blocks shared by every schema ———

/** Reports a mistake from a schema's own check or transform, at `path` below the value being checked. */
export function issue(ctx: z.RefinementCtx, message: string, path: (string | number)[] = []): void {
  ctx.addIssue({ code: 'custom', message, path });
}

/** A mapping with exactly these keys: a typo like `resouces` is an error, not a silently ignored field. */
export const mapping = z.strictObject;

/** A string with something in it (whitespace alone is nothing). */
export const text = z.string().refine((s) => s.trim() !== '', { error: (iss) => `must be a non-empty string, got ${describeValue(iss.input)}` });

/**
 * For a mapping's own checks (`superRefine(check, IF_VALID)`): run them only when the mapping itself
 * has no issue, so a typo (`resouces`) is one error, not also "resources is required".
 */
export const IF_VALID = { when: (payload: z.core.ParsePayload): boolean => payload.issues.length === 0 };

/** An integer from `min` to `max`. */
export function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): z.ZodNumber {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be an integer of at least ${min}` : `must be an integer from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A duration (`15m`, `1h30m`) as seconds. */
export const duration = text.transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (e) {
    issue(ctx, (e as Error).message);
    return z.NEVER;
  }
});

/** A string checked by `problem` (undefined: fine; otherwise the reason). */
export function checkedString(problem: (s: string) => string | undefined): z.ZodType<string> {
  return z.string().superRefine((s, ctx) => {
    const p = problem(s);
    if (p !== undefined) issue(ctx, p);
  });
}
