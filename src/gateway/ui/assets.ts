/** The console's static files: its stylesheet and replay script (here, so no build step), and asciinema-player from node_modules (no CDN). */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { securityHeaders } from './layout.js';

const CSS = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--line:#d0d7de;--accent:#0550ae;--ok:#116329;--bad:#a40e26;--warn:#7d4e00}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
.brand{font-weight:700;color:var(--fg);text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;flex:1}
nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex-wrap:wrap}
nav a[aria-current]{font-weight:700;text-decoration:underline}
.signout{margin-left:auto;display:flex;gap:.5rem;align-items:center}
main{padding:1rem;max-width:72rem;margin:0 auto}
h1{font-size:1.5rem;margin:.2rem 0 1rem}
a{color:var(--accent)}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #0969da;outline-offset:1px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;color:var(--muted);padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;word-break:break-all}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
.facts dt{font-weight:600;color:var(--muted)}.facts dd{margin:0}
.facts ul{margin:0;padding-left:1.1rem}
@media (max-width:40rem){.facts{grid-template-columns:1fr}.facts dd{margin-bottom:.4rem}th,td{padding:.3rem}}
label{display:block;font-weight:600;margin:.4rem 0 .2rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin-bottom:1rem}
.filters label{font-weight:400;margin:0}
input,select,textarea{font:inherit;padding:.35rem;border:1px solid var(--line);border-radius:4px;max-width:100%}
textarea{width:100%;max-width:40rem}
button,.button{font:inherit;padding:.45rem 1rem;border-radius:4px;border:1px solid var(--line);background:#f6f8fa;color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block;min-height:2.5rem}
button.approve{background:var(--ok);color:#fff;border-color:var(--ok)}
button.deny,button.danger,.button.danger{background:var(--bad);color:#fff;border-color:var(--bad)}
.buttons{display:flex;gap:.75rem;margin-top:.6rem;flex-wrap:wrap}
.badge{background:#ddf4ff;color:var(--accent);border-radius:1rem;padding:0 .5rem;font-size:.8rem;white-space:nowrap}
.flash{background:#dafbe1;border:1px solid #4ac26b;padding:.5rem .8rem;border-radius:4px}
.error{color:var(--bad);font-weight:600}
.note,.empty{color:var(--muted)}
.decision-deny td:nth-child(n){color:var(--bad)}
pre.body{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:20rem}
.chain{border:1px solid var(--line);border-radius:6px;padding:.2rem .8rem;margin-bottom:1rem}
.chain.ok{border-color:#4ac26b}.chain.broken{border-color:var(--bad);color:var(--bad)}
.hash{word-break:break-all}
.replay{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1rem;align-items:start}
@media (max-width:56rem){.replay{grid-template-columns:1fr}}
.timeline ol{list-style:none;padding:0;margin:0;max-height:32rem;overflow:auto;font-size:.88rem}
.timeline li{border-bottom:1px solid var(--line);padding:.3rem 0}
.timeline li.current{background:#fff8c5}
.timeline .when{color:var(--muted);display:block}
.timeline .decision{display:block;color:var(--muted)}
.timeline li.decision-deny .decision{color:var(--bad)}
.speed{display:flex;gap:.5rem;align-items:center;margin-bottom:.6rem}
.speed label{margin:0}
`;

const REPLAY_JS = `'use strict';
(function () {
  var el = document.getElementById('player');
  if (!el || !window.AsciinemaPlayer) return;
  var player;
  function make(speed, startAt) {
    if (player) player.dispose();
    var opts = { speed: speed, cols: Number(el.dataset.cols) || 80, rows: Number(el.dataset.rows) || 24, fit: 'width', autoPlay: true, idleTimeLimit: 2 };
    if (startAt) opts.startAt = startAt;
    player = window.AsciinemaPlayer.create(el.dataset.cast, el, opts);
    window.hoopPlayer = player;
  }
  make(Number(el.dataset.speed) || 1);
  var select = document.getElementById('speed');
  if (select) select.addEventListener('change', function () {
    Promise.resolve(player.getCurrentTime()).then(function (t) { make(Number(select.value) || 1, t); });
  });
  document.querySelectorAll('[data-seek]').forEach(function (li) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'seek';
    b.textContent = 'Play from here';
    b.addEventListener('click', function () { Promise.resolve(player.seek(Number(li.dataset.seek))).then(function () { player.play(); }); });
    li.appendChild(b);
  });
})();
`;

const PLAYER_FILES: Record<string, { specifier: string; type: string }> = {
  'asciinema-player.min.js': { specifier: 'asciinema-player/dist/bundle/asciinema-player.min.js', type: 'text/javascript; charset=utf-8' },
  'asciinema-player.css': { specifier: 'asciinema-player/dist/bundle/asciinema-player.css', type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** Answers `GET /ui/assets/<name>`; false when there is no such asset. */
export async function sendAsset(res: ServerResponse, name: string): Promise<boolean> {
  let body: Buffer | undefined = cache.get(name);
  let type: string;
  if (name === 'console.css') {
    body ??= Buffer.from(CSS);
    type = 'text/css; charset=utf-8';
  } else if (name === 'replay.js') {
    body ??= Buffer.from(REPLAY_JS);
    type = 'text/javascript; charset=utf-8';
  } else {
    const file = PLAYER_FILES[name];
    if (file === undefined) return false;
    type = file.type;
    if (body === undefined) {
      try {
        body = await readFile(fileURLToPath(import.meta.resolve(file.specifier)));
      } catch {
        return false;
      }
    }
  }
  cache.set(name, body);
  res.writeHead(200, { ...securityHeaders(), 'content-type': type, 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
  res.end(body);
  return true;
}
