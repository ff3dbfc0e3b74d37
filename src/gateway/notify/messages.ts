/** Notification bodies: a generic JSON webhook and a Slack incoming-webhook message, both naming the commands to run. */
import type { AccessRequestView } from '../../api/wire.js';
import type { NotificationTarget } from '../config.js';
import type { Notification } from './notifier.js';

/** What happened to a request. */
export type RequestEvent = 'request.created' | 'request.approved' | 'request.denied' | 'request.expired' | 'request.withdrawn' | 'request.voted';

/** Body of a generic webhook (`type: webhook`). */
export interface WebhookBody {
  event: RequestEvent;
  gateway: string;
  /** Who caused the event (the requester, or the approver who voted). */
  actor: string | null;
  request: AccessRequestView;
  commands: { approve: string; deny: string; wait: string };
  /** The request's page in the web console (`/ui/requests/:id`). */
  link: string;
}

/** The request's page in the gateway's web console. */
export function requestLink(gateway: string, id: string): string {
  return `${gateway.replace(/\/+$/, '')}/ui/requests/${encodeURIComponent(id)}`;
}

const VERB: Record<RequestEvent, string> = {
  'request.created': 'asks for',
  'request.approved': 'was approved:',
  'request.denied': 'was denied:',
  'request.expired': 'expired unanswered:',
  'request.withdrawn': 'withdrew',
  'request.voted': 'got a vote:',
};

function commandsOf(r: AccessRequestView): WebhookBody['commands'] {
  return { approve: `hoopctl approve ${r.id}`, deny: `hoopctl deny ${r.id}`, wait: `hoopctl wait ${r.id}` };
}

/** One plain sentence for people (also the Slack fallback text). */
export function describeEvent(event: RequestEvent, r: AccessRequestView, actor: string | null): string {
  const what = `${r.summary} on ${r.connection}${r.reason === undefined ? '' : ` (reason: ${r.reason})`}`;
  const votes = `${r.approvals.length}/${r.minApprovals} approvals from ${r.approvers.join(', ')}`;
  switch (event) {
    case 'request.created':
      return `${r.user} ${VERB[event]} ${what}; ${votes} needed. Request ${r.id}.`;
    case 'request.withdrawn':
      return `${r.user} ${VERB[event]} request ${r.id}: ${what}.`;
    case 'request.voted':
      return `Request ${r.id} of ${r.user} ${VERB[event]} approved by ${actor ?? 'someone'} (${votes}): ${what}.`;
    default:
      return `Request ${r.id} of ${r.user} ${VERB[event]} ${what}${actor === null ? '' : ` (by ${actor})`}.`;
  }
}

function slackBody(gateway: string, event: RequestEvent, r: AccessRequestView, actor: string | null): unknown {
  const text = describeEvent(event, r, actor);
  const open = event === 'request.created' || event === 'request.voted';
  const link = requestLink(gateway, r.id);
  const commands = open ? `\nApprove: \`hoopctl approve ${r.id}\`   Deny: \`hoopctl deny ${r.id}\`` : '';
  return {
    text: `${text}${open ? ` Approve: hoopctl approve ${r.id} / deny: hoopctl deny ${r.id}` : ''} ${link}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${escapeSlack(text)}${commands}\n<${escapeSlack(link)}|${open ? 'Open the request in the console' : 'See the request'}>`,
        },
      },
    ],
  };
}

// Slack mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The messages for every configured target. */
export function requestNotifications(
  targets: readonly NotificationTarget[],
  gateway: string,
  event: RequestEvent,
  r: AccessRequestView,
  actor: string | null,
): Notification[] {
  return targets.map((target) => ({
    target,
    body:
      target.type === 'slack'
        ? slackBody(gateway, event, r, actor)
        : ({ event, gateway, actor, request: r, commands: commandsOf(r), link: requestLink(gateway, r.id) } satisfies WebhookBody),
  }));
}
