/**
 * The masking rules as they were before masking was made linear-time (commit d4b9c84): the
 * built-in value patterns without their look-ahead guards, and name globs as one `.*` regex. Kept
 * only as the bench's baseline, so every masking figure is printed next to the old code measured
 * in the same run. Never used by the product.
 */
import { MASK_MARKER } from '../../src/mask/marker.js';
import { DEFAULT_MASK_RULES, DEFAULT_CONFIGMAP_KEY_PATTERNS, DEFAULT_ENV_NAME_PATTERNS, type MaskRules } from '../../src/mask/mask-rules.js';
import type { NamePatterns } from '../../src/mask/name-patterns.js';
import type { ValueMasker, ValuePattern } from '../../src/mask/value-patterns.js';

const NOT_MASKED = '(?!\\*\\*hoopctl-masked\\*\\*)';
const SECRET_KEYS = 'password|passwd|pass|pwd|secret|client[_-]?secret|token|api[_-]?key|access[_-]?key|accountkey|sharedaccesskey';

const ORIGINAL_PATTERNS: ValuePattern[] = [
  {
    name: 'private-key',
    source: '-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)',
    flags: '',
    prefilter: 'PRIVATE KEY',
  },
  { name: 'aws-access-key-id', source: '(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])', flags: '', prefilter: 'AKIA|ASIA|ABIA|ACCA' },
  {
    name: 'aws-secret-access-key',
    source: `(?<=aws_?secret_?access_?key["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[A-Za-z0-9/+=]{40}`,
    flags: 'i',
    prefilter: 'aws_?secret',
  },
  {
    name: 'github-token',
    source: '(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})',
    flags: '',
    prefilter: 'gh[pousr]_|github_pat_',
  },
  { name: 'gitlab-token', source: '(?<![A-Za-z0-9_])gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat|ffct|agent)-[A-Za-z0-9_-]{20,}', flags: '', prefilter: 'gl[a-z]+-' },
  { name: 'slack-token', source: '(?<![A-Za-z0-9_])xox[abeoprs]-[A-Za-z0-9-]{10,}', flags: '', prefilter: 'xox[abeoprs]-' },
  {
    name: 'slack-webhook',
    source: '(?<=https://hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+',
    flags: '',
    prefilter: 'hooks\\.slack\\.com/',
  },
  { name: 'jwt', source: '(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*', flags: '', prefilter: 'eyJ' },
  { name: 'url-password', source: `(?<=[A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@]*:)${NOT_MASKED}[^\\s@/]+(?=@)`, flags: '', prefilter: '://' },
  { name: 'bearer-token', source: `(?<=\\bbearer[ \\t]+)${NOT_MASKED}[A-Za-z0-9._~+/-]{16,}=*`, flags: 'i', prefilter: 'bearer' },
  { name: 'basic-auth', source: `(?<=authorization["']?[ \\t]*[:=][ \\t]*["']?basic[ \\t]+)[A-Za-z0-9+/]{8,}=*`, flags: 'i', prefilter: 'basic' },
  {
    name: 'assigned-secret',
    source: `(?<=(?<![A-Za-z0-9])(?:${SECRET_KEYS})["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[^\\s"'&;,]+`,
    flags: 'i',
    prefilter: SECRET_KEYS,
  },
];

// compileValueMasker of d4b9c84, unchanged.
function originalValueMasker(patterns: readonly ValuePattern[]): ValueMasker {
  const compiled = patterns.map((p) => ({
    re: new RegExp(p.source, `${p.flags}g`),
    pre: p.prefilter === undefined ? undefined : new RegExp(p.prefilter, 'i'),
  }));
  const anyPrefilter = new RegExp(patterns.flatMap((p) => (p.prefilter === undefined ? [] : [`(?:${p.prefilter})`])).join('|'), 'i');
  return {
    patterns,
    mask(text, counter) {
      if (!anyPrefilter.test(text)) return text;
      let out = text;
      for (const { re, pre } of compiled) {
        if (pre !== undefined && !pre.test(out)) continue;
        re.lastIndex = 0;
        if (!re.test(out)) continue;
        out = out.replace(re, () => {
          counter.masked++;
          return MASK_MARKER;
        });
      }
      return out;
    },
  };
}

/** Name globs as one anchored `.*` regex (flags `is`), as compileNamePatterns built them. */
export function originalNamePatterns(globs: readonly string[]): NamePatterns {
  const alternatives = globs.map((g) =>
    g
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
      .join('.*'),
  );
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  return { globs, matches: (name) => re.test(name) };
}

/** The built-in rules as the old code compiled them. */
export const ORIGINAL_MASK_RULES: MaskRules = {
  version: DEFAULT_MASK_RULES.version,
  configMapKeys: originalNamePatterns(DEFAULT_CONFIGMAP_KEY_PATTERNS),
  envNames: originalNamePatterns(DEFAULT_ENV_NAME_PATTERNS),
  values: originalValueMasker(ORIGINAL_PATTERNS),
};
