/** Reading untyped YAML values with errors that name the file and the exact path, e.g. `gw.yaml: policy.roles[1].rules[0].verbs[2]: …`. */
import { HoopError } from '../errors.js';
import { patternProblem } from './pattern.js';

/** `a.b` / `a[2]` path building; an empty base yields the bare key. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Path-aware accessors over raw YAML for one file. */
export class PolicyReader {
  constructor(readonly file: string) {}

  /** Throws HoopError('config_invalid') naming the file and path. */
  fail(path: string, reason: string, cause?: unknown): never {
    const where = path === '' ? this.file : `${this.file}: ${path}`;
    throw new HoopError('config_invalid', `${where}: ${reason}`, cause === undefined ? {} : { cause });
  }

  /** A mapping with only the given keys (a typo like `resouces` is an error, not a silently ignored field). */
  mapping(raw: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(path, 'expected a mapping');
    const m = raw as Record<string, unknown>;
    for (const k of Object.keys(m)) {
      if (!keys.includes(k)) this.fail(joinPath(path, k), `unknown field (expected one of: ${keys.join(', ')})`);
    }
    return m;
  }

  /** An optional list (absent or null: undefined). */
  optList(m: Record<string, unknown>, key: string, path: string): unknown[] | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) this.fail(joinPath(path, key), 'expected a list');
    return v as unknown[];
  }

  /** An optional list of strings; with `nonEmpty`, an empty list is an error. */
  optStrings(m: Record<string, unknown>, key: string, path: string, nonEmpty = false): string[] | undefined {
    const list = this.optList(m, key, path);
    if (list === undefined) return undefined;
    if (nonEmpty && list.length === 0) this.fail(joinPath(path, key), 'must not be empty');
    return list.map((v, i) => {
      if (typeof v !== 'string') this.fail(joinPath(joinPath(path, key), i), `expected a string, got ${JSON.stringify(v)}`);
      return v;
    });
  }

  /** A list of valid patterns (see pattern.ts); `allowEmpty` admits the '' pattern. */
  optPatterns(m: Record<string, unknown>, key: string, path: string, allowEmpty: boolean): string[] | undefined {
    const list = this.optStrings(m, key, path, true);
    list?.forEach((p, i) => {
      const problem = patternProblem(p, allowEmpty);
      if (problem !== undefined) this.fail(joinPath(joinPath(path, key), i), `bad pattern: ${problem}`);
    });
    return list;
  }

  /** A required non-empty string. */
  string(m: Record<string, unknown>, key: string, path: string): string {
    const v = m[key];
    if (v === undefined || v === null) this.fail(joinPath(path, key), 'is required');
    if (typeof v !== 'string' || v === '') this.fail(joinPath(path, key), 'expected a non-empty string');
    return v;
  }

  /** An optional string. */
  optString(m: Record<string, unknown>, key: string, path: string): string | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(joinPath(path, key), 'expected a string');
    return v;
  }

  /** An optional boolean. */
  optBool(m: Record<string, unknown>, key: string, path: string): boolean | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(joinPath(path, key), 'expected true or false');
    return v;
  }

  /** An optional integer of at least `min`. */
  optInt(m: Record<string, unknown>, key: string, path: string, min: number): number | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v) || (v as number) < min) this.fail(joinPath(path, key), `expected an integer of at least ${min}`);
    return v as number;
  }
}
