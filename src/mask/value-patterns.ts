/**
 * Value patterns: secrets recognisable by their shape wherever they appear (any JSON string, log
 * line or request URI). Each regex matches exactly the secret part — a lookbehind keeps the
 * context (`password=`, `https://user:`) in clear — and the match is replaced by MASK_MARKER.
 *
 * Every pattern runs in time linear in its input (pattern-linearity.ts says why each one does;
 * compileValueMasker refuses one that does not). A look-behind over a run of spaces is preceded by
 * a one-character look-ahead for the secret's first character: without it the look-behind is
 * tried at every position of the run and re-reads the run each time (40 KB of spaces after
 * `password` took seconds); with it, only where a secret can start. What matches is unchanged.
 */
import { MASK_MARKER } from './marker.js';
import { linearTimeProblem } from './pattern-linearity.js';

/** One named pattern: a JavaScript regex source and its flags (without `g`, which is always added). */
export interface ValuePattern {
  name: string;
  source: string;
  flags: string;
  /**
   * A cheap necessary condition (regex source, no lookbehind, matched case-insensitively): a string
   * it does not match cannot match `source`, so the pattern is skipped. Without one the pattern always runs.
   */
  prefilter?: string;
}

// A value already masked is never masked again (the marker would otherwise count twice).
const NOT_MASKED = '(?!\\*\\*hoopctl-masked\\*\\*)';
// Keys whose assigned value is a secret in config files, connection strings, URLs and logs.
const SECRET_KEYS = 'password|passwd|pass|pwd|secret|client[_-]?secret|token|api[_-]?key|access[_-]?key|accountkey|sharedaccesskey';

/** The built-in patterns (always on; the policy can add more). */
export const DEFAULT_VALUE_PATTERNS: readonly ValuePattern[] = [
  // RFC 7468 private keys (PKCS#1/#8, EC, OpenSSH, encrypted) and PGP private key blocks; an unterminated block is masked to the end.
  {
    name: 'private-key',
    source: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)',
    flags: '',
    prefilter: 'PRIVATE KEY',
  },
  { name: 'aws-access-key-id', source: '(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])', flags: '', prefilter: 'AKIA|ASIA|ABIA|ACCA' },
  {
    name: 'aws-secret-access-key',
    source: `(?=[A-Za-z0-9/+=])(?<=aws_?secret_?access_?key["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[A-Za-z0-9/+=]{40}`,
    flags: 'i',
    prefilter: 'aws_?secret',
  },
  {
    name: 'github-token',
    source: '(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})',
    flags: '',
    prefilter: 'gh[pousr]_|github_pat_',
  },
  {
    name: 'gitlab-token',
    source: '(?<![A-Za-z0-9_])gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat|ffct|agent)-[A-Za-z0-9_-]{20,}',
    flags: '',
    prefilter: 'gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat|ffct|agent)-',
  },
  { name: 'slack-token', source: '(?<![A-Za-z0-9_])xox[abeoprs]-[A-Za-z0-9-]{10,}', flags: '', prefilter: 'xox[abeoprs]-' },
  {
    name: 'slack-webhook',
    source: '(?<=https://hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+',
    flags: '',
    prefilter: 'hooks\\.slack\\.com/',
  },
  // RFC 7519 compact JWS: base64url header and payload that both start with `{"`.
  { name: 'jwt', source: '(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*', flags: '', prefilter: 'eyJ' },
  // RFC 3986 userinfo: scheme://user:PASSWORD@host (also redis://:PASSWORD@host).
  { name: 'url-password', source: `(?<=[A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@]*:)${NOT_MASKED}[^\\s@/]+(?=@)`, flags: '', prefilter: '://' },
  { name: 'bearer-token', source: `(?=[A-Za-z0-9._~+/-])(?<=\\bbearer[ \\t]+)${NOT_MASKED}[A-Za-z0-9._~+/-]{16,}=*`, flags: 'i', prefilter: 'bearer' },
  {
    name: 'basic-auth',
    source: `(?=[A-Za-z0-9+/])(?<=authorization["']?[ \\t]*[:=][ \\t]*["']?basic[ \\t]+)[A-Za-z0-9+/]{8,}=*`,
    flags: 'i',
    prefilter: 'basic',
  },
  // `password=…`, `db.password: …`, `Pwd=…;` (ODBC), `access_token=…`, `"api_key": "…"`.
  {
    name: 'assigned-secret',
    source: `(?=[^\\s"'&;,])(?<=(?<![A-Za-z0-9])(?:${SECRET_KEYS})["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[^\\s"'&;,]+`,
    flags: 'i',
    prefilter: SECRET_KEYS,
  },
];

/** Masks strings with a fixed list of compiled patterns; `count` is incremented once per masked match. */
export interface ValueMasker {
  readonly patterns: readonly ValuePattern[];
  mask(text: string, counter: { masked: number }): string;
}

/**
 * Compiles patterns once (the regexes are reused for every string). Throws SyntaxError on a bad source.
 * Patterns with a prefilter are guarded by ONE combined alternation of all prefilters: most strings
 * (names, uids, timestamps, log lines) miss it and skip every look-behind regex; on a hit only the
 * patterns whose own prefilter matches run.
 */
export function compileValueMasker(patterns: readonly ValuePattern[]): ValueMasker {
  for (const p of patterns) {
    // Configured patterns were refused earlier with their policy path (parseValuePattern); this guards every other way in.
    for (const [what, source, flags] of [
      ['', p.source, p.flags],
      [' (prefilter)', p.prefilter, 'i'],
    ] as const) {
      const problem = source === undefined ? undefined : linearTimeProblem(source, flags, { lookarounds: true });
      if (problem !== undefined) throw new SyntaxError(`value pattern ${p.name}${what}: ${problem}`);
    }
  }
  const compiled = patterns.map((p) => {
    const group = SECRET_GROUP.test(p.source);
    return {
      re: new RegExp(p.source, `${p.flags.replace(/[gd]/g, '')}g${group ? 'd' : ''}`),
      pre: p.prefilter === undefined ? undefined : new RegExp(p.prefilter, 'i'),
      group,
    };
  });
  const prefilters = patterns.flatMap((p) => (p.prefilter === undefined ? [] : [`(?:${p.prefilter})`]));
  const anyPrefilter = prefilters.length === 0 ? undefined : new RegExp(prefilters.join('|'), 'i');
  const unguarded = compiled.some((c) => c.pre === undefined);
  const missesAll = (text: string): boolean => anyPrefilter !== undefined && !anyPrefilter.test(text);
  return {
    patterns,
    mask(text, counter) {
      if (!unguarded && missesAll(text)) return text;
      // With policy patterns (no prefilter) those still run; the guarded ones are skipped while the text is unchanged.
      const missed = unguarded && missesAll(text) ? text : undefined;
      let out = text;
      for (const { re, pre, group } of compiled) {
        // Tested on `out`, as the pattern itself is: exactly the strings the pattern alone would see.
        if (pre !== undefined && (out === missed || !pre.test(out))) continue;
        re.lastIndex = 0;
        if (!re.test(out)) continue;
        out = group
          ? maskSecretGroup(out, re, counter)
          : out.replace(re, () => {
              counter.masked++;
              return MASK_MARKER;
            });
      }
      return out;
    },
  };
}

// A policy pattern with a group named `secret` masks only that group: `secret-id=(?<secret>[a-z0-9]+)`
// keeps `secret-id=` in clear, as a look-behind would, without one (policy patterns have none).
const SECRET_GROUP = /\(\?<secret>/;

function maskSecretGroup(text: string, re: RegExp, counter: { masked: number }): string {
  re.lastIndex = 0;
  let out = '';
  let from = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0] === '') {
      re.lastIndex++;
      continue;
    }
    const span = m.indices?.groups?.secret;
    if (span === undefined || span[0] === span[1] || m.groups?.secret === MASK_MARKER) continue;
    out += `${text.slice(from, span[0])}${MASK_MARKER}`;
    from = span[1];
    counter.masked++;
  }
  return out + text.slice(from);
}

/**
 * Reads a pattern as written in the policy: a plain regex source, or `/source/flags` (flags among
 * `imsu`; a group named `secret` limits the masking to it). Returns the pattern, or a reason why it is unusable — among them `not linear-time (…)`:
 * a policy pattern has no look-around or back-reference, and only repetitions that cannot make
 * masking slower than linear (pattern-linearity.ts).
 */
export function parseValuePattern(text: string, name: string): ValuePattern | string {
  let source = text;
  let flags = '';
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (slashed !== null) {
    source = slashed[1]!;
    flags = slashed[2]!;
    if (!/^[imsu]*$/.test(flags)) return `flags ${JSON.stringify(flags)}: only i, m, s and u are allowed`;
  }
  if (source === '') return 'is empty';
  let re: RegExp;
  try {
    re = new RegExp(source, `${flags}g`);
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
  // A pattern that matches nothing at all would mask between every character.
  if (re.test('')) return 'matches the empty string';
  return linearTimeProblem(source, flags) ?? { name, source, flags };
}
