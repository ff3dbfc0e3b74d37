/**
 * Claim mapping of CI issuers: how a GitHub Actions or GitLab CI OIDC token's claims become the
 * person and groups the policy sees. Templates like `repo:{repository}:ref:{ref}` combine claims,
 * so one binding can name "branch main of acme/deploy" rather than "any main" or "any of acme/deploy".
 */
import { z } from 'zod';
import { isMapping, issue, mapping } from '../config-reader.js';

/** One piece of a template: literal text or the value of a claim. */
type TemplatePart = { literal: string } | { claim: string };

/** A compiled template; a bare claim name is a template of one claim. */
export interface ClaimTemplate {
  source: string;
  parts: TemplatePart[];
}

/** How a CI token's claims become identity and groups. */
export interface ClaimMapping {
  user: ClaimTemplate;
  groups: ClaimTemplate[];
  /** Claims that must hold one of the listed values, or the token is refused (e.g. `repository_owner: [acme]`). */
  require: Record<string, string[]>;
}

/** Named defaults: GitHub's and GitLab's own `sub` formats, split into groups a binding can name. */
export const CLAIM_PRESETS = {
  // https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect
  github: {
    user: 'github:{repository}',
    groups: [
      'repo:{repository}',
      'repo:{repository}:ref:{ref}',
      'repo:{repository}:env:{environment}',
      'owner:{repository_owner}',
      'workflow:{job_workflow_ref}',
      'event:{event_name}',
    ],
  },
  // https://docs.gitlab.com/ci/secrets/id_token_authentication/
  gitlab: {
    user: 'gitlab:{project_path}',
    groups: [
      'project:{project_path}',
      'project:{project_path}:ref:{ref}',
      'project:{project_path}:ref_protected:{ref_protected}',
      'project:{project_path}:env:{environment}',
      'namespace:{namespace_path}',
      'pipeline_source:{pipeline_source}',
    ],
  },
} as const satisfies Record<string, { user: string; groups: readonly string[] }>;

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses `text` into a template, or returns why it is malformed. */
export function parseClaimTemplate(text: string): ClaimTemplate | string {
  if (!text.includes('{') && !text.includes('}')) {
    return CLAIM_NAME.test(text)
      ? { source: text, parts: [{ claim: text }] }
      : `${JSON.stringify(text)} is neither a claim name nor a template with {claim} placeholders`;
  }
  const parts: TemplatePart[] = [];
  let rest = text;
  while (rest !== '') {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (open === -1) {
      if (close !== -1) return `${JSON.stringify(text)} has a "}" without "{"`;
      parts.push({ literal: rest });
      break;
    }
    if (close !== -1 && close < open) return `${JSON.stringify(text)} has a "}" without "{"`;
    if (close === -1) return `${JSON.stringify(text)} has an unclosed "{"`;
    if (open > 0) parts.push({ literal: rest.slice(0, open) });
    const name = rest.slice(open + 1, close);
    if (!CLAIM_NAME.test(name)) return `${JSON.stringify(text)}: {${name}} is not a claim name`;
    parts.push({ claim: name });
    rest = rest.slice(close + 1);
  }
  return { source: text, parts };
}

// A template: a claim name, or text with {claim} placeholders.
const template = z.unknown().transform((raw, ctx): ClaimTemplate => {
  const fail = (message: string): never => {
    issue(ctx, message);
    return z.NEVER;
  };
  // An unquoted `{repository}` is a YAML flow mapping: say so rather than "must be a string".
  if (isMapping(raw)) return fail("a template must be quoted in YAML, e.g. '{repository}'");
  if (typeof raw !== 'string' || raw === '') return fail("must be a claim name or a quoted template like 'repo:{repository}'");
  const t = parseClaimTemplate(raw);
  return typeof t === 'string' ? fail(t) : t;
});

// Any claim name may be a key here; each holds one allowed value or a list of them.
const requirements = z.record(z.string(), z.unknown()).transform((raw, ctx) => {
  const out: Record<string, string[]> = {};
  for (const [claim, v] of Object.entries(raw)) {
    if (!CLAIM_NAME.test(claim)) issue(ctx, 'is not a claim name', [claim]);
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? (v as unknown[]) : undefined;
    if (values === undefined || values.length === 0 || values.some((x) => typeof x !== 'string' || x === '')) {
      issue(ctx, 'must be a string or a non-empty list of strings', [claim]);
    } else {
      out[claim] = values as string[];
    }
  }
  return out;
});

/** The `claims` mapping of a CI issuer (checked at gateway start; errors name the path). */
export const claimMappingSchema = mapping({
  preset: z
    .enum(Object.keys(CLAIM_PRESETS) as [keyof typeof CLAIM_PRESETS], {
      error: (iss) => `unknown preset ${JSON.stringify(iss.input)} (expected one of: ${Object.keys(CLAIM_PRESETS).join(', ')})`,
    })
    .optional(),
  user: template.optional(),
  groups: z.array(template).optional(),
  require: requirements.optional(),
  allowAnyRepository: z.boolean().optional(),
}).transform((m, ctx): ClaimMapping => {
  const fail = (path: string[], message: string): never => {
    issue(ctx, message, path);
    return z.NEVER;
  };
  const preset = m.preset === undefined ? undefined : CLAIM_PRESETS[m.preset];
  const user = m.user ?? (preset === undefined ? undefined : parseClaimTemplate(preset.user));
  if (user === undefined) return fail(['user'], 'is required (a claim name or a template), or set preset: github | gitlab');
  const groups = m.groups ?? (preset?.groups ?? []).map((g) => parseClaimTemplate(g));
  const require = m.require ?? {};
  const allowAny = m.allowAnyRepository ?? false;
  // GitHub and GitLab sign job tokens for every repository on their platform: without require, any of them signs in.
  if (Object.keys(require).length === 0 && !allowAny) {
    return fail(
      ['require'],
      'is required for kind: ci: the platform signs tokens for every repository, so name yours ' +
        '(e.g. require: { repository_owner: [acme] } or { namespace_path: [acme] }); to accept every repository on purpose, write allowAnyRepository: true',
    );
  }
  if (Object.keys(require).length > 0 && allowAny) return fail(['allowAnyRepository'], 'contradicts require: remove one of them');
  // Preset templates are ours and always parse.
  return { user: user as ClaimTemplate, groups: groups as ClaimTemplate[], require };
});

/** A claim as text: strings as they are, numbers and booleans printed; anything else (or empty) counts as absent. */
function claimText(payload: Record<string, unknown>, name: string): string | undefined {
  const v = payload[name];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Renders a template; undefined when a claim it names is absent. A bare list claim yields one value per entry. */
export function renderClaimTemplate(t: ClaimTemplate, payload: Record<string, unknown>): string[] | undefined {
  const only = t.parts.length === 1 ? t.parts[0]! : undefined;
  if (only !== undefined && 'claim' in only && Array.isArray(payload[only.claim])) {
    const list = payload[only.claim] as unknown[];
    return list.every((x) => typeof x === 'string') ? list.filter((x) => x !== '') : undefined;
  }
  let out = '';
  for (const p of t.parts) {
    if ('literal' in p) {
      out += p.literal;
      continue;
    }
    const v = claimText(payload, p.claim);
    if (v === undefined) return undefined;
    out += v;
  }
  return [out];
}

/** Why the token's claims fail the mapping's `require`, or undefined when they pass. */
export function requirementProblem(mapping: ClaimMapping, payload: Record<string, unknown>): string | undefined {
  for (const [claim, allowed] of Object.entries(mapping.require)) {
    const v = claimText(payload, claim);
    if (v === undefined || !allowed.includes(v))
      return `claim ${claim}=${JSON.stringify(v ?? null)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  }
  return undefined;
}

// Control characters would end up in Impersonate-* headers and audit lines.
const UNSAFE = /[\u0000-\u001f\u007f]/;

/** Applies the mapping: the person and groups, or the reason the token cannot name one. */
export function mapCiClaims(mapping: ClaimMapping, payload: Record<string, unknown>): { user: string; groups: string[] } | string {
  const problem = requirementProblem(mapping, payload);
  if (problem !== undefined) return problem;
  const users = renderClaimTemplate(mapping.user, payload);
  if (users === undefined || users.length !== 1) return `the token lacks a claim the user template ${JSON.stringify(mapping.user.source)} needs`;
  const user = users[0]!;
  const groups = [...new Set(mapping.groups.flatMap((g) => renderClaimTemplate(g, payload) ?? []))];
  const bad = [user, ...groups].find((v) => UNSAFE.test(v));
  if (bad !== undefined) return 'a mapped claim value contains control characters';
  return { user, groups };
}
