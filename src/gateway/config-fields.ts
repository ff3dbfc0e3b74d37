/** Typed field readers for the gateway config: each mistake names the file, the path inside it and what is wrong. */
import { HoopError } from '../errors.js';

/** A YAML mapping being read. */
export type Mapping = Record<string, unknown>;

/** Joins a parent path and a key into `a.b` / `a[1]` form; the root has no prefix. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Reads fields of one config file; every failure is a HoopError('config_invalid', '<file>: <path>: <reason>'). */
export class ConfigFields {
  constructor(readonly file: string) {}

  /** Throws the config error for `path`. */
  fail(path: string, reason: string, cause?: unknown): never {
    throw new HoopError('config_invalid', `${this.file}: ${path === '' ? '(top level)' : path}: ${reason}`, {
      hint: `fix ${this.file} and start the gateway again`, ...(cause === undefined ? {} : { cause }),
    });
  }

  /** The value at `path` as a mapping (refusing keys not in `allowed`, which catches typos). */
  mapping(value: unknown, path: string, allowed: readonly string[]): Mapping {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(path, `must be a mapping, got ${describe(value)}`);
    for (const k of Object.keys(value)) {
      if (!allowed.includes(k)) this.fail(joinPath(path, k), `unknown key (expected one of: ${allowed.join(', ')})`);
    }
    return value as Mapping;
  }

  /** An optional mapping field; undefined when absent. */
  optMapping(m: Mapping, key: string, path: string, allowed: readonly string[]): Mapping | undefined {
    const v = m[key];
    return v === undefined || v === null ? undefined : this.mapping(v, joinPath(path, key), allowed);
  }

  /** A list field (absent → empty list). */
  list(m: Mapping, key: string, path: string): unknown[] {
    const v = m[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(joinPath(path, key), `must be a list, got ${describe(v)}`);
    return v;
  }

  /** An optional non-empty string field. */
  optString(m: Mapping, key: string, path: string): string | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(joinPath(path, key), `must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  /** A required non-empty string field. */
  string(m: Mapping, key: string, path: string): string {
    const v = this.optString(m, key, path);
    if (v === undefined) this.fail(joinPath(path, key), 'is required');
    return v;
  }

  /** An optional string that may be empty (prefixes). */
  optStringAllowEmpty(m: Mapping, key: string, path: string): string | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(joinPath(path, key), `must be a string, got ${describe(v)}`);
    return v;
  }

  /** An optional boolean field. */
  optBool(m: Mapping, key: string, path: string): boolean | undefined {
    const v = m[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(joinPath(path, key), `must be true or false, got ${describe(v)}`);
    return v;
  }

  /** A list of non-empty strings (absent → empty). */
  strings(m: Mapping, key: string, path: string): string[] {
    return this.list(m, key, path).map((v, i) => {
      if (typeof v !== 'string' || v === '') this.fail(joinPath(joinPath(path, key), i), `must be a non-empty string, got ${describe(v)}`);
      return v;
    });
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'function') return 'a function';
  const scalar = v as number | boolean | bigint | symbol | undefined;
  return `${typeof v} ${String(scalar)}`;
}
