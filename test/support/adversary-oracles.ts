// What the adversary suite asserts about one exchange: no sentinel in any byte the client got, a
// valid HTTP/1.1 answer, a Kubernetes Status for every refusal hoopctl makes itself, and no protocol
// switch outside the exec-class subresources.
import { findEncodedSentinels } from './sentinel-forms.js';
import { headerOf, parseHttpAnswers, type ParsedHttp, type RawCapture } from './raw-http.js';

/** What the judge needs to know besides the bytes. */
export interface ExchangeFacts {
  method: string;
  path: string;
  /** True when the request reached the Kubernetes API test server. */
  reachedUpstream: boolean;
  /** True when the caller's role may open exec-class streams. */
  mayUpgrade: boolean;
}

// exec, attach and portforward are the only subresources kube-apiserver upgrades.
const UPGRADABLE = /\/pods\/[^/]+\/(?:exec|attach|portforward)(?:[/?]|$)/;

/** Sentinel sightings in a named capture, as violation lines. */
export function sentinelViolations(where: string, data: string | Buffer, roots: readonly string[]): string[] {
  return findEncodedSentinels(data, roots, 3).map((h) => `sentinel (${h.encoding}) in ${where}: …${JSON.stringify(h.context)}…`);
}

/** Every rule one exchange breaks (empty when it holds). */
export function judgeExchange(
  capture: RawCapture,
  facts: ExchangeFacts,
  roots: readonly string[],
): { violations: string[]; parsed: ParsedHttp; status: number | undefined } {
  const v: string[] = [];
  const parsed = parseHttpAnswers(capture.bytes, facts.method === 'HEAD');
  v.push(...sentinelViolations('the raw answer bytes', capture.bytes, roots));
  for (const a of parsed.answers) {
    if (a.decoded === undefined && a.body.length > 0)
      v.push(`answer ${a.status} has a body in Content-Encoding ${JSON.stringify(headerOf(a, 'content-encoding'))} that does not decode`);
    else if (a.decoded !== a.body && a.decoded !== undefined) v.push(...sentinelViolations(`the decoded ${a.status} body`, a.decoded, roots));
    if (a.upgraded !== undefined) v.push(...sentinelViolations('the stream after 101', a.upgraded, roots));
  }
  if (capture.bytes.length === 0) v.push(`no answer at all (capture ended: ${capture.ended}${capture.error === undefined ? '' : `, ${capture.error}`})`);
  for (const p of parsed.problems) v.push(`invalid HTTP/1.1: ${p}`);
  const final = parsed.answers.find((a) => a.status >= 200 || a.status === 101);
  if (capture.bytes.length > 0 && final === undefined && parsed.problems.length === 0)
    v.push(`no final answer, only ${parsed.answers.map((a) => a.status).join(', ') || 'a partial head'} (capture ended: ${capture.ended})`);
  if (final !== undefined) {
    if (final.status === 101 && (!facts.mayUpgrade || !UPGRADABLE.test(facts.path)))
      v.push(
        `101 Switching Protocols for ${facts.method} ${facts.path}: only exec/attach/portforward may upgrade${facts.mayUpgrade ? '' : ', and this role may open none'}`,
      );
    if (!final.complete && capture.ended === 'closed' && headerOf(final, 'content-length') !== undefined)
      v.push(`connection closed before the Content-Length body was complete (${final.body.length} of ${headerOf(final, 'content-length')} bytes)`);
    if (final.status >= 400 && !facts.reachedUpstream && facts.method !== 'HEAD') {
      const ct = headerOf(final, 'content-type') ?? '';
      let status: { kind?: unknown; apiVersion?: unknown; code?: unknown; status?: unknown } | undefined;
      try {
        status = JSON.parse((final.decoded ?? final.body).toString('utf8')) as typeof status;
      } catch {
        status = undefined;
      }
      if (
        !/^application\/json\b/i.test(ct) ||
        status?.kind !== 'Status' ||
        status.apiVersion !== 'v1' ||
        status.code !== final.status ||
        status.status !== 'Failure'
      ) {
        v.push(
          `hoopctl refused with ${final.statusLine} but not with a Kubernetes Status (Content-Type ${JSON.stringify(ct)}): ${JSON.stringify((final.decoded ?? final.body).toString('utf8').slice(0, 160))}`,
        );
      }
    }
  }
  return { violations: v, parsed, status: final?.status };
}
