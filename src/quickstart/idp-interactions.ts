/**
 * The embedded IdP's own interaction pages (login with username/password, then consent), served
 * under `/interaction/:uid` in place of oidc-provider's devInteractions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { default as Provider, InteractionDetails } from 'oidc-provider';
import { consentForm, escapeHtml, loginForm, renderPage } from './idp-pages.js';

/** A demo or test account of the embedded IdP. */
export interface IdpUser {
  username: string;
  password: string;
  email: string;
  name?: string;
  groups: string[];
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const MAX_FORM_BYTES = 16 * 1024;

/** Builds the request handler of `/interaction/...` for `provider`, checking passwords against `users`. */
export function createInteractionRouter(provider: Provider, users: ReadonlyMap<string, IdpUser>): Handler {
  // One form token per interaction: the `_interaction` cookie alone would let another site post the form.
  const xsrfByUid = new Map<string, string>();
  const xsrfFor = (uid: string): string => {
    const token = randomBytes(16).toString('hex');
    xsrfByUid.set(uid, token);
    return token;
  };
  const xsrfValid = (uid: string, given: string | null): boolean => {
    const expected = xsrfByUid.get(uid);
    return expected !== undefined && given !== null && sameSecret(expected, given);
  };

  return async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const [, , uid, action] = path.split('/');
      const details = await provider.interactionDetails(req, res);
      if (uid !== details.uid) throw new Error('interaction does not match this browser session');

      if (req.method === 'GET' && action === undefined) {
        if (details.prompt.name === 'login') {
          send(res, 200, renderPage('login', 'Sign in', loginForm(`/interaction/${uid}/login`, xsrfFor(uid))));
        } else {
          send(res, 200, renderPage('consent', 'Allow access', consentForm(`/interaction/${uid}/confirm`, xsrfFor(uid), 'hoopctl', requestedScopes(details))));
        }
        return;
      }
      if (req.method !== 'POST' || (action !== 'login' && action !== 'confirm')) {
        send(res, 404, renderPage('error', 'Not found', '<p>No such page.</p>', true));
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      if (!xsrfValid(uid, form.get('xsrf'))) throw new Error('the form expired or came from another page; start again');

      if (action === 'login') {
        const user = users.get(form.get('username') ?? '');
        if (user === undefined || !sameSecret(user.password, form.get('password') ?? '')) {
          send(res, 401, renderPage('login', 'Sign in', loginForm(`/interaction/${uid}/login`, xsrfFor(uid), 'Wrong username or password.'), true));
          return;
        }
        xsrfByUid.delete(uid);
        await provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
        return;
      }
      if (form.get('confirm') !== 'yes') {
        xsrfByUid.delete(uid);
        await provider.interactionFinished(
          req,
          res,
          {
            error: 'access_denied',
            error_description: 'the user did not allow access',
          },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      xsrfByUid.delete(uid);
      const grantId = await saveGrant(provider, details);
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      send(res, 400, renderPage('error', 'Sign-in failed', `<p>${escapeHtml(message)}</p>`, true));
    }
  };
}

/** Grants exactly what the prompt says is missing (oidc-provider's consent prompt details). */
async function saveGrant(provider: Provider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (accountId === undefined || typeof clientId !== 'string') throw new Error('consent without a signed-in user');
  const grant = (details.grantId !== undefined ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details;
  if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope((missing.missingOIDCScope as string[]).join(' '));
  if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims as string[]);
  const resourceScopes = missing.missingResourceScopes;
  if (resourceScopes !== null && typeof resourceScopes === 'object') {
    for (const [indicator, scopes] of Object.entries(resourceScopes as Record<string, string[]>)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

function requestedScopes(details: InteractionDetails): string[] {
  const scope = details.params.scope;
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
}

/** Constant-time comparison of two secrets of any length. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}
