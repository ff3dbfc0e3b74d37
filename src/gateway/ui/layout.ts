/** The console's page frame: navigation, the signed-in person, sign-out, and the security headers every page carries. */
import type { ServerResponse } from 'node:http';
import { html, type Html } from './html.js';

/** Who is signed in, as the frame shows them. */
export interface FrameUser {
  user: string;
  admin: boolean;
  csrf: string;
}

/**
 * No inline script or style anywhere, so the policy can forbid both; `wasm-unsafe-eval` is for the
 * replay player's terminal emulator (WebAssembly), which is not script evaluation.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers of every console answer: no caching (pages are per person), no framing, no referrer beyond this origin (the callback URL holds a code). */
export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Writes an HTML page. */
export function sendPage(res: ServerResponse, status: number, page: Html, extra: Record<string, string | string[]> = {}): void {
  const body = page.text;
  res.writeHead(status, { ...securityHeaders(), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

/** A 303 redirect (after a form post, or to sign in). */
export function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...securityHeaders(), location, 'content-length': 0, ...extra });
  res.end();
}

const NAV = [
  ['requests', 'Access requests'],
  ['sessions', 'Sessions'],
  ['audit', 'Audit'],
] as const;

/** A whole page: `section` marks the current navigation entry; `kind` names the page for tests (`data-page`). */
export function frame(o: {
  title: string;
  kind: string;
  section?: string;
  who?: FrameUser;
  body: Html;
  flash?: string;
  styles?: string[];
  scripts?: string[];
}): Html {
  const nav =
    o.who === undefined
      ? html``
      : html`<nav aria-label="Console">
          <ul>
            ${NAV.map(([k, label]) => html`<li><a href="/ui/${k}" ${o.section === k ? html` aria-current="page"` : ''}>${label}</a></li>`)}
          </ul>
          <form method="post" action="/ui/logout" class="signout">
            <input type="hidden" name="csrf" value="${o.who.csrf}" /><span>${o.who.user}${o.who.admin ? ' (admin)' : ''}</span>
            <button type="submit">Sign out</button>
          </form>
        </nav>`;
  return html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} · hoopctl</title>
        <link rel="stylesheet" href="/ui/assets/console.css" />
        ${(o.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}" />`)} ${(o.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}
      </head>
      <body data-page="${o.kind}">
        <header><a class="brand" href="/ui/">hoopctl console</a>${nav}</header>
        <main id="main">
          <h1>${o.title}</h1>
          ${o.flash === undefined ? '' : html`<p class="flash" role="status">${o.flash}</p>`} ${o.body}
        </main>
      </body>
    </html>`;
}

/** The error page: what went wrong and, when known, what to do next. */
export function errorPage(title: string, message: string, hint?: string, who?: FrameUser): Html {
  return frame({
    title,
    kind: 'error',
    ...(who === undefined ? {} : { who }),
    body: html`<p class="error">${message}</p>
      ${hint === undefined ? '' : html`<p>${hint}</p>`}
      <p><a href="/ui/">Back to the console</a></p>`,
  });
}
