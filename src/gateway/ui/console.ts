/**
 * The approver's web console at `/ui/`: server-rendered pages over the same services as `/v1`
 * (access requests, sessions, recordings, audit). Every page needs a console sign-in; every
 * state-changing action is a POST form carrying the session's CSRF token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../../errors.js';
import type { GatewayContext } from '../gateway-context.js';
import { statusForCode } from '../http-json.js';
import { sendAsset } from './assets.js';
import { createConsoleAuth, safeNext, type ConsoleAuth, type ConsoleSession } from './console-auth.js';
import { html } from './html.js';
import { errorPage, frame, redirect, securityHeaders, sendPage } from './layout.js';
import { auditPage, exportAudit } from './pages-audit.js';
import { castOf, replayPage } from './pages-replay.js';
import { decideRequest, requestPage, requestsPage } from './pages-requests.js';
import { revokeConfirmPage, revokeSession, sessionPage, sessionsPage } from './pages-sessions.js';

/** The path prefix of the console. */
export const CONSOLE_PREFIX = '/ui';

const MAX_FORM_BYTES = 16 * 1024;
const auths = new WeakMap<GatewayContext, ConsoleAuth>();

/** True for `/ui` and everything under `/ui/`. */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HoopError('usage', 'expected a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HoopError('usage', `the form is larger than ${MAX_FORM_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function idIn(path: string, re: RegExp): string | undefined {
  const m = re.exec(path);
  if (m === null) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    throw new HoopError('usage', 'the id in the path is not valid percent-encoding');
  }
}

function notConfigured(res: ServerResponse): void {
  sendPage(
    res,
    404,
    frame({
      title: 'The web console is off',
      kind: 'off',
      body: html`<p>This gateway has no <code>console:</code> section in its config, so nobody can sign in here.</p>
        <p>
          Register a client for the authorization code flow at your identity provider with the redirect URI <code>&lt;publicUrl&gt;/ui/auth/callback</code>,
          then add <code>console: {clientId: …}</code> to the gateway config and restart it.
        </p>`,
    }),
  );
}

/** Answers a `/ui` request (the caller checked isConsolePath). Never throws: failures become error pages. */
export async function handleConsoleRoute(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  let who: ConsoleSession | undefined;
  try {
    if (method === 'GET' && path.startsWith('/ui/assets/')) {
      if (!(await sendAsset(res, path.slice('/ui/assets/'.length)))) throw new HoopError('not_found', `no asset ${path}`);
      return;
    }
    const cfg = gw.config.console;
    if (cfg === undefined) {
      notConfigured(res);
      return;
    }
    let auth = auths.get(gw);
    if (auth === undefined) auths.set(gw, (auth = createConsoleAuth(gw, cfg)));

    if (method === 'GET' && path === '/ui/login') {
      await auth.startLogin(res, safeNext(url.searchParams.get('next')));
      return;
    }
    if (method === 'GET' && path === '/ui/auth/callback') {
      const { next, setCookie } = await auth.finishLogin(req, url);
      redirect(res, next, { 'set-cookie': setCookie });
      return;
    }
    if (method === 'GET' && path === '/ui/signed-out') {
      sendPage(
        res,
        200,
        frame({
          title: 'Signed out',
          kind: 'signed-out',
          body: html`<p>You are signed out of the console.</p>
            <p><a href="/ui/login">Sign in again</a></p>`,
        }),
      );
      return;
    }
    who = await auth.sessionOf(req);
    if (who === undefined) {
      if (method === 'GET') {
        redirect(res, `/ui/login?next=${encodeURIComponent(path + url.search)}`);
        return;
      }
      throw new HoopError('not_logged_in', 'your console sign-in expired', { hint: 'sign in again at /ui/' });
    }
    const s = who;

    if (method === 'POST') {
      const form = await readForm(req);
      auth.checkCsrf(req, s, form);
      if (path === '/ui/logout') {
        redirect(res, '/ui/signed-out', { 'set-cookie': await auth.logout(s) });
        return;
      }
      const decideId = idIn(path, /^\/ui\/requests\/([^/]+)\/decide$/);
      if (decideId !== undefined) {
        redirect(res, `/ui/requests/${encodeURIComponent(decideId)}?done=${await decideRequest(gw, s, decideId, form)}`);
        return;
      }
      const revokeId = idIn(path, /^\/ui\/sessions\/([^/]+)\/revoke$/);
      if (revokeId !== undefined) {
        await revokeSession(gw, s, revokeId, { userAgent: req.headers['user-agent'] ?? null, sourceIP: req.socket?.remoteAddress ?? null });
        redirect(res, `/ui/sessions/${encodeURIComponent(revokeId)}?done=revoked`);
        return;
      }
      throw new HoopError('not_found', `no action ${path}`);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HoopError('usage', `method ${method} is not used by the console`);

    const q = url.searchParams;
    const done = q.get('done');
    const flash =
      done === 'approve'
        ? 'You approved this request.'
        : done === 'deny'
          ? 'You denied this request.'
          : done === 'revoked'
            ? 'The session is revoked; its connections were cut.'
            : undefined;
    if (path === '/ui' || path === '/ui/') {
      redirect(res, '/ui/requests');
      return;
    }
    if (path === '/ui/requests') {
      sendPage(res, 200, await requestsPage(gw, s, q.get('all') === '1'));
      return;
    }
    if (path === '/ui/sessions') {
      sendPage(res, 200, await sessionsPage(gw, s, q));
      return;
    }
    if (path === '/ui/audit') {
      sendPage(res, 200, await auditPage(gw, s, q));
      return;
    }
    if (path === '/ui/audit/export') {
      const body = await exportAudit(gw, s, q);
      res.writeHead(200, {
        ...securityHeaders(),
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': 'attachment; filename="hoopctl-audit.jsonl"',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    let id = idIn(path, /^\/ui\/requests\/([^/]+)$/);
    if (id !== undefined) {
      sendPage(res, 200, await requestPage(gw, s, id, flash));
      return;
    }
    id = idIn(path, /^\/ui\/sessions\/([^/]+)$/);
    if (id !== undefined) {
      sendPage(res, 200, await sessionPage(gw, s, id, flash));
      return;
    }
    id = idIn(path, /^\/ui\/sessions\/([^/]+)\/revoke$/);
    if (id !== undefined) {
      sendPage(res, 200, await revokeConfirmPage(gw, s, id));
      return;
    }
    id = idIn(path, /^\/ui\/recordings\/([^/]+)\/cast$/);
    if (id !== undefined) {
      const body = await castOf(gw, s, id);
      res.writeHead(200, { ...securityHeaders(), 'content-type': 'application/x-asciicast', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    id = idIn(path, /^\/ui\/recordings\/([^/]+)$/);
    if (id !== undefined) {
      sendPage(res, 200, await replayPage(gw, s, id, q.get('speed')));
      return;
    }
    throw new HoopError('not_found', `no page ${path}`);
  } catch (e) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (!(e instanceof HoopError)) {
      gw.log(`console error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      sendPage(res, 500, errorPage('Something went wrong', 'internal console error (this is a bug; the gateway log has the details)', undefined, who));
      return;
    }
    const status = statusForCode(e.code);
    if (status >= 500) gw.log(`console: ${e.code}: ${e.message}`);
    sendPage(res, status, errorPage(status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'That did not work', e.message, e.hint, who));
  }
}
