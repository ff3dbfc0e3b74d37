/**
 * HTML of the embedded IdP's pages. Each page names itself in `data-hoop-page` (and failures in
 * `data-hoop-failed`) so the device approver can tell where it is without scraping prose.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete page; `body` is trusted HTML, `title` is text. No external fonts or scripts: it must work offline. */
export function renderPage(kind: string, title: string, body: string, failed = false): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}input,button{display:block;width:100%;margin:.4rem 0;padding:.5rem;box-sizing:border-box}.failed{color:#b00020}code{font-size:1.4em}</style>
</head>
<body data-hoop-page="${escapeHtml(kind)}"${failed ? ' data-hoop-failed="true"' : ''}>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

/** The username/password form of the login interaction. */
export function loginForm(action: string, xsrf: string, error?: string): string {
  return `${error === undefined ? '' : `<p class="failed">${escapeHtml(error)}</p>`}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="text" name="username" placeholder="Username" autofocus autocomplete="username" required>
<input type="password" name="password" placeholder="Password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
}

/** The consent form: what hoopctl will be allowed to read. */
export function consentForm(action: string, xsrf: string, clientName: string, scopes: string[]): string {
  const list = scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return `<p><strong>${escapeHtml(clientName)}</strong> asks for:</p><ul>${list}</ul>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit">Allow</button>
</form>`;
}
