// Finding known secret values ("sentinels") in anything a test captured: in clear, and in every
// base64 / base64url form they take when encoded at any offset inside a larger value.

/** Every fully-determined base64 (and base64url) substring of `value` encoded at byte offsets 0, 1 and 2. */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k, 0x78), bytes, Buffer.alloc(3, 0x78)]).toString('base64');
    // Output char j carries bits [6j, 6j+6); keep the chars made only of the value's bits.
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length) - 6) / 6);
    const form = b64.slice(first, last + 1);
    if (form.length >= 6) {
      out.add(form);
      out.add(form.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out];
}

/** The value itself plus its base64 forms. */
export function sentinelForms(value: string): string[] {
  return [value, ...base64Forms(value)];
}

/** Where any form of any of the values occurs in `text`: `[form, context]` pairs (empty when clean). */
export function findSentinels(text: string, values: readonly string[]): { form: string; context: string }[] {
  const hits: { form: string; context: string }[] = [];
  for (const v of values) {
    for (const form of sentinelForms(v)) {
      let at = text.indexOf(form);
      while (at !== -1 && hits.length < 20) {
        hits.push({ form, context: text.slice(Math.max(0, at - 80), at + form.length + 40) });
        at = text.indexOf(form, at + 1);
      }
    }
  }
  return hits;
}
