/**
 * Plays the human in the browser for the device authorization grant (RFC 8628 §3.3) against the
 * embedded IdP: enter the user code, sign in, consent. Plain HTTP with a small cookie jar.
 */
import { HoopError } from '../errors.js';

/** Input of approveDeviceCode; `fetch` is injectable for tests. */
export interface ApproveDeviceCodeInput {
  verificationUri: string;
  userCode: string;
  username: string;
  password: string;
  fetch?: typeof fetch;
}

const MAX_STEPS = 20;

/** Approves `userCode` as `username`; resolves when the IdP shows its success page, else throws HoopError('login_failed'). */
export async function approveDeviceCode(input: ApproveDeviceCodeInput): Promise<void> {
  const browser = createBrowser(input.fetch ?? fetch);
  let page = await browser.get(input.verificationUri);
  if (page.kind !== 'device-code') throw failed(`the verification page ${input.verificationUri} did not ask for a code`, page);
  // The code page's xsrf is bound to the session cookie just set; `confirm=yes` skips the confirm page.
  page = await browser.post(formAction(page, input.verificationUri), {
    xsrf: hiddenField(page, 'xsrf'),
    user_code: input.userCode,
    confirm: 'yes',
  });
  for (let step = 0; step < MAX_STEPS; step++) {
    switch (page.kind) {
      case 'success':
        return;
      case 'login':
        if (page.failed) throw failed(`wrong username or password for "${input.username}"`, page);
        page = await browser.post(formAction(page, page.url), {
          xsrf: hiddenField(page, 'xsrf'),
          username: input.username,
          password: input.password,
        });
        break;
      case 'consent':
        page = await browser.post(formAction(page, page.url), { xsrf: hiddenField(page, 'xsrf'), confirm: 'yes' });
        break;
      case 'device-code':
        throw failed(`the IdP refused the user code ${input.userCode} (wrong, expired or already used)`, page);
      default:
        throw failed(`the IdP answered with an unexpected page at ${page.url}`, page);
    }
  }
  throw failed('the IdP did not finish the device sign-in', page);
}

interface Page {
  url: string;
  status: number;
  kind: string | undefined;
  failed: boolean;
  html: string;
}

function failed(message: string, page: Page): HoopError {
  const detail = page.kind === 'error' ? textOf(page.html) : '';
  return new HoopError('login_failed', detail === '' ? message : `${message}: ${detail}`, {
    hint: 'check the user and password, then run the login again',
  });
}

/** A browser reduced to what the flow needs: cookies per path, manual redirects. */
function createBrowser(doFetch: typeof fetch): { get(url: string): Promise<Page>; post(url: string, form: Record<string, string>): Promise<Page> } {
  const jar = new Map<string, { value: string; path: string }>();

  function cookieHeader(url: URL): string {
    return [...jar.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  function remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((x) => x.trim());
        if (k.toLowerCase() === 'path' && v !== '') path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      if (expired) jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  async function request(method: 'GET' | 'POST', startUrl: string, body?: URLSearchParams): Promise<Page> {
    let url = new URL(startUrl);
    let init: { method: string; body?: URLSearchParams } = body === undefined ? { method } : { method, body };
    for (let hop = 0; hop < MAX_STEPS; hop++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          ...init,
          redirect: 'manual',
          headers: { accept: 'text/html', cookie: cookieHeader(url) },
        });
      } catch (cause) {
        throw new HoopError('login_failed', `cannot reach the IdP at ${url.origin}`, { cause });
      }
      remember(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        await res.body?.cancel();
        url = new URL(location, url);
        init = { method: 'GET' };
        continue;
      }
      const html = await res.text();
      return {
        url: url.href,
        status: res.status,
        html,
        kind: /data-hoop-page="([^"]+)"/.exec(html)?.[1],
        failed: html.includes('data-hoop-failed="true"'),
      };
    }
    throw new HoopError('login_failed', `too many redirects from the IdP at ${url.origin}`);
  }

  return {
    get: (url) => request('GET', url),
    post: (url, form) => request('POST', url, new URLSearchParams(form)),
  };
}

function formAction(page: Page, base: string): string {
  const action = /<form[^>]*\saction="([^"]*)"/.exec(page.html)?.[1];
  if (action === undefined) throw failed(`no form on the IdP page ${page.url}`, page);
  return new URL(decodeEntities(action), base).href;
}

function hiddenField(page: Page, name: string): string {
  const re = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="${name}"`);
  const m = re.exec(page.html);
  const value = m?.[1] ?? m?.[2];
  if (value === undefined) throw failed(`the IdP page ${page.url} has no ${name} field`, page);
  return decodeEntities(value);
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d))).replace(/&amp;/g, '&');
}

function textOf(html: string): string {
  const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  return decodeEntities(body.replace(/<h1>[\s\S]*?<\/h1>/, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
