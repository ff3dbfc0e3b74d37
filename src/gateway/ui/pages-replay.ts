/** The replay page: a recorded exec/attach in asciinema-player (served by the gateway), speed control, and the session's request timeline. */
import { HoopError } from '../../errors.js';
import type { RecordingRecord } from '../../store/store.js';
import { castFile, castHeader } from '../../audit/asciicast.js';
import type { GatewayContext } from '../gateway-context.js';
import { recordingTitle, shownRecording } from '../v1-recordings.js';
import { html, time, type Html } from './html.js';
import { frame } from './layout.js';
import type { ConsoleSession } from './console-auth.js';

/** Speeds offered; the form works without JavaScript (the page reloads with `?speed=`). */
export const SPEEDS = [0.5, 1, 2, 4, 8] as const;

async function recordingFor(gw: GatewayContext, s: ConsoleSession, id: string): Promise<RecordingRecord> {
  const r = await gw.store.getRecording(id);
  // Same rule as GET /v1/recordings/:id: the session's owner and admins.
  if (r === undefined || (r.user !== s.user && !s.admin)) throw new HoopError('not_found', `no recording ${id} that you may see`);
  return shownRecording(gw, r);
}

/** `GET /ui/recordings/:id/cast`: the asciicast v2 file the player loads (same origin, so the CSP allows it). */
export async function castOf(gw: GatewayContext, s: ConsoleSession, id: string): Promise<string> {
  const r = await recordingFor(gw, s, id);
  return castFile(castHeader({ ...r, title: recordingTitle(r) }), await gw.store.readRecording(id));
}

/** `GET /ui/recordings/:id[?speed=]`. */
export async function replayPage(gw: GatewayContext, s: ConsoleSession, id: string, speedText: string | null): Promise<Html> {
  const r = await recordingFor(gw, s, id);
  const asked = Number(speedText ?? '1');
  const speed = (SPEEDS as readonly number[]).includes(asked) ? asked : 1;
  const start = Date.parse(r.startedAt);
  const events = (await gw.store.listAudit({ session: r.session, limit: 500 })).sort((a, b) => a.time.localeCompare(b.time));
  const offset = (t: string): number => (Date.parse(t) - start) / 1000;
  const timeline = events.map((e) => {
    const at = offset(e.time);
    // The exec's own request is received just before its stream (and the recording) starts: it seeks to 0.
    const inside = e.auditID === r.auditID || (at >= 0 && (r.endedAt === null || Date.parse(e.time) <= Date.parse(r.endedAt)));
    return html`<li
      class="decision-${e.decision}${e.auditID === r.auditID ? ' current' : ''}"
      ${inside ? html` data-seek="${Math.max(0, at).toFixed(2)}"` : ''}
    >
      <span class="when">${time(e.time)}${inside ? ` (+${at.toFixed(1)}s)` : ''}</span> <span class="what">${e.verb} <code>${e.requestURI}</code></span>
      <span class="decision">${e.decision}${e.rule === null ? '' : ` — ${e.rule}`}</span>
    </li>`;
  });
  const body = html`<p>
      ${recordingTitle(r)} — <a href="/ui/sessions/${r.session}">session ${r.session.slice(0, 8)}</a> of ${r.user} on ${r.connection},
      ${time(r.startedAt)}${r.exitCode === null ? '' : `, exit code ${r.exitCode}`}${r.truncated ? ' (recording truncated at the cap)' : ''}
    </p>
    <form method="get" action="/ui/recordings/${r.id}" class="speed">
      <label for="speed">Speed</label>
      <select id="speed" name="speed">
        ${SPEEDS.map((v) => html`<option value="${v}" ${v === speed ? html` selected` : ''}>${v}×</option>`)}
      </select>
      <button type="submit">Apply</button>
    </form>
    <div class="replay">
      <div
        id="player"
        class="player"
        data-cast="/ui/recordings/${r.id}/cast"
        data-speed="${speed}"
        data-cols="${r.width}"
        data-rows="${r.height}"
        aria-label="Terminal recording"
      >
        <noscript
          ><p>
            The player needs JavaScript. <a href="/ui/recordings/${r.id}/cast">Download the recording</a> and play it with <code>hoopctl replay</code> or
            asciinema.
          </p></noscript
        >
      </div>
      <section class="timeline" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Requests of this session</h2>
        <ol>
          ${timeline}
        </ol>
      </section>
    </div>
    <p><a href="/ui/recordings/${r.id}/cast" download="${r.id}.cast">Download the .cast file</a></p>`;
  return frame({
    title: 'Replay',
    kind: 'replay',
    section: 'sessions',
    who: s,
    body,
    styles: ['/ui/assets/asciinema-player.css'],
    scripts: ['/ui/assets/asciinema-player.min.js', '/ui/assets/replay.js'],
  });
}
