/** HTML built with a tagged template that escapes every interpolated value unless it is already Html. */

/** A fragment of trusted HTML. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Escapes text for element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What may be interpolated: a plain object would render as `[object Object]`, so the type leaves it out. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function part(v: HtmlValue): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

/** `html\`<p>${text}</p>\`` — values are escaped; arrays are joined; Html passes as is; null/undefined/false vanish. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += part(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** A time for people: `2026-12-02 13:05:09 UTC` (one format everywhere). */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `<time>` with a machine-readable datetime. */
export function time(iso: string | null | undefined): Html {
  return iso === null || iso === undefined || iso === '' ? html`—` : html`<time datetime="${iso}">${formatTime(iso)}</time>`;
}
