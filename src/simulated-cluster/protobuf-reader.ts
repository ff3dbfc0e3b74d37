// Generic protobuf wire-format reading and the field decoders the Kubernetes message schemas use.
// Go's JSON omits zero values of non-pointer fields (omitempty); proto2 still sends them, so the
// plain decoders drop empty strings, zero numbers and false, and the `…Ptr` ones keep them.
import { badRequest } from './status.js';

/** One field as read from the wire. */
export interface Field {
  no: number;
  wire: number;
  /** Varint value (wire 0). */
  int: number;
  /** Length-delimited payload (wire 2). */
  bytes: Buffer;
}

/** Iterates the fields of a message. */
export function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw badRequest('protobuf: truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw badRequest('protobuf: truncated field');
      yield { no, wire, int: 0, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

/** Field number → decoder writing into the JSON object being built. */
export type Schema = Record<number, (acc: Record<string, unknown>, f: Field) => void>;

/** Decodes a message with a schema; unknown fields are skipped. */
export function message(buf: Buffer, schema: Schema): Record<string, unknown> {
  const acc: Record<string, unknown> = {};
  for (const f of fields(buf)) schema[f.no]?.(acc, f);
  return acc;
}

type Decoder = (acc: Record<string, unknown>, f: Field) => void;

/** A string field (empty ones left out). */
export const str =
  (name: string): Decoder =>
  (acc, f) => {
    if (f.bytes.length > 0) acc[name] = f.bytes.toString('utf8');
  };
/** A non-pointer bool (false left out). */
export const bool =
  (name: string): Decoder =>
  (acc, f) => {
    if (f.int !== 0) acc[name] = true;
  };
/** A *bool (kept even when false). */
export const boolPtr =
  (name: string): Decoder =>
  (acc, f) => {
    acc[name] = f.int !== 0;
  };

function signed(v: number): number {
  // Negative int32/int64 values travel as 10-byte two's-complement varints.
  return v > Number.MAX_SAFE_INTEGER ? v - 2 ** 64 : v;
}
/** A non-pointer integer (zero left out). */
export const int =
  (name: string): Decoder =>
  (acc, f) => {
    if (f.int !== 0) acc[name] = signed(f.int);
  };
/** A *int32/*int64 (kept even when zero). */
export const intPtr =
  (name: string): Decoder =>
  (acc, f) => {
    acc[name] = signed(f.int);
  };
/** A repeated string. */
export const strList =
  (name: string): Decoder =>
  (acc, f) => {
    ((acc[name] ??= []) as string[]).push(f.bytes.toString('utf8'));
  };
/** An embedded message. */
export const sub =
  (name: string, schema: Schema): Decoder =>
  (acc, f) => {
    acc[name] = message(f.bytes, schema);
  };
/** A repeated embedded message. */
export const subList =
  (name: string, schema: Schema): Decoder =>
  (acc, f) => {
    ((acc[name] ??= []) as unknown[]).push(message(f.bytes, schema));
  };
/** A map<string,string>; map<string,bytes> values render base64 (as JSON carries []byte), Quantity messages as their string. */
export const map =
  (name: string, values: 'string' | 'base64' | 'quantity' = 'string'): Decoder =>
  (acc, f) => {
    let key = '';
    let value: Buffer = Buffer.alloc(0);
    for (const e of fields(f.bytes)) {
      if (e.no === 1) key = e.bytes.toString('utf8');
      else if (e.no === 2) value = e.bytes;
    }
    const m = (acc[name] ??= {}) as Record<string, string>;
    if (values === 'base64') m[key] = value.toString('base64');
    else if (values === 'quantity') m[key] = String(message(value, { 1: str('q') })['q'] ?? '0');
    else m[key] = value.toString('utf8');
  };
/** An intstr.IntOrString: {type, intVal, strVal} becomes a JSON number or string. */
export const intOrString =
  (name: string): Decoder =>
  (acc, f) => {
    const v = message(f.bytes, { 1: intPtr('type'), 2: intPtr('intVal'), 3: str('strVal') });
    acc[name] = v['type'] === 1 ? (v['strVal'] ?? '') : (v['intVal'] ?? 0);
  };
