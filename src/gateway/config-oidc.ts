/** The `oidc:` section of the gateway config: the issuers whose ID tokens the gateway trusts. */
import { z } from 'zod';
import { isMapping, issue, mapping, text } from '../config-reader.js';
import { claimMappingSchema, type ClaimMapping } from './claim-mapping.js';
import { isLoopbackHost } from './listen-address.js';

/** One trusted OIDC issuer. */
export interface OidcIssuerConfig {
  issuer: string;
  /** `idp`: people's logins (device flow); `ci`: a CI platform's job tokens (GitHub Actions, GitLab CI). */
  kind: 'idp' | 'ci';
  /** Expected `aud` of ID tokens; the client id `/v1/config` hands to the CLI (`kind: ci`: the configured `audience`). */
  clientId: string;
  /** `kind: ci` only: how the token's claims become the person and groups. */
  claims?: ClaimMapping;
  /** Undefined: `email`, then `preferred_username`, then `sub`. */
  usernameClaim?: string;
  groupsClaim: string;
  /** The issuer `hoopctl login` uses (exactly one, or none on a gateway that serves only CI jobs). */
  cli: boolean;
  scopes: string[];
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];

const issuerUrl = text.transform((issuer, ctx) => {
  const fail = (message: string): never => {
    issue(ctx, message);
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return fail(`${JSON.stringify(issuer)} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))
    return fail('must be https:// (http:// only for a loopback host)');
  return issuer.replace(/\/+$/, '');
});

const idpIssuer = mapping({
  issuer: issuerUrl,
  kind: z.literal('idp'),
  clientId: text,
  usernameClaim: text.optional(),
  groupsClaim: text.optional(),
  cli: z.boolean().optional(),
  scopes: z.array(text).optional(),
});

const ciIssuer = mapping({ issuer: issuerUrl, kind: z.literal('ci'), audience: text, claims: claimMappingSchema.optional() });

// `kind` is optional (idp); the allowed keys depend on it, so an issuer is read as the kind it says it is.
const issuerSchema = z
  .preprocess(
    (v) => (isMapping(v) && v.kind === undefined ? { ...v, kind: 'idp' } : v),
    z.discriminatedUnion('kind', [idpIssuer, ciIssuer], {
      error: (iss) => (iss.code === 'invalid_union' && isMapping(iss.input) ? `must be idp or ci, got ${JSON.stringify(iss.input.kind)}` : undefined),
    }),
  )
  .transform((m, ctx): OidcIssuerConfig & { cliGiven: boolean } => {
    if (m.kind === 'ci') {
      if (m.claims === undefined) {
        issue(ctx, 'is required for kind: ci (preset: github | gitlab, or user and groups templates)', ['claims']);
        return z.NEVER;
      }
      return { issuer: m.issuer, kind: 'ci', clientId: m.audience, groupsClaim: 'groups', cli: false, cliGiven: false, scopes: [], claims: m.claims };
    }
    return {
      issuer: m.issuer,
      kind: 'idp',
      clientId: m.clientId,
      ...(m.usernameClaim === undefined ? {} : { usernameClaim: m.usernameClaim }),
      groupsClaim: m.groupsClaim ?? 'groups',
      cli: m.cli ?? false,
      cliGiven: m.cli !== undefined,
      scopes: m.scopes !== undefined && m.scopes.length > 0 ? m.scopes : DEFAULT_SCOPES,
    };
  });

/** The `oidc` section: at least one issuer, exactly one for `hoopctl login` unless every issuer is `kind: ci`. */
export const oidcSchema = mapping({ issuers: z.array(issuerSchema).optional() }).transform((m, ctx): { issuers: OidcIssuerConfig[] } => {
  const fail = (path: (string | number)[], message: string): never => {
    issue(ctx, message, path);
    return z.NEVER;
  };
  const given = m.issuers ?? [];
  if (given.length === 0) return fail(['issuers'], 'needs at least one issuer');
  // A lone IdP issuer is the CLI's unless it says otherwise; CI issuers never are.
  const idps = given.filter((i) => i.kind === 'idp');
  const issuers: OidcIssuerConfig[] = given.map(({ cliGiven, ...iss }) => (idps.length === 1 && iss.kind === 'idp' && !cliGiven ? { ...iss, cli: true } : iss));
  const cliCount = issuers.filter((i) => i.cli).length;
  // A gateway for CI jobs only has no issuer for people: hoopctl login then says so (GET /v1/config has no issuer).
  if (cliCount > 1 || (cliCount === 0 && idps.length > 0)) {
    fail(
      ['issuers'],
      `exactly one issuer must have cli: true (found ${cliCount}): the idp issuer hoopctl login uses (none only when every issuer is kind: ci)`,
    );
  }
  issuers.forEach((iss, i) => {
    if (issuers.findIndex((o) => o.issuer === iss.issuer) !== i) fail(['issuers', i, 'issuer'], `${iss.issuer} is listed twice`);
  });
  return { issuers };
});
