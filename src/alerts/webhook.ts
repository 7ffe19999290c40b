// Alerts to a chat webhook: one Slack-compatible JSON message (`{"text": ...}`, which Slack, Mattermost,
// Rocket.Chat and Discord's /slack endpoint all take) per step that has something to say. The URL is a
// secret (Slack's carries its token in the path): it comes from an environment variable only and is masked
// in every line, and the message goes to that URL alone (no redirect is followed).
import { DataOpsError } from '../errors.js';
import { mask, maskedSnippet, registerSecret } from '../secrets.js';
import type { Alert } from './alerts.js';

export const WEBHOOK_ENV = 'DATAOPS_ALERT_WEBHOOK_URL';
/** A bound on the whole request: a webhook that hangs never holds the step. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Lines of one message; the rest are counted (chat messages are read, not scrolled). */
const MAX_LINES = 20;

export class WebhookError extends DataOpsError {
  override name = 'WebhookError';
}

/**
 * What happened to an alert in this step, for the message: first seen, seen again, or gone (known from
 * its issue), or failing (no issue tracks it, so whether it is new is not known).
 */
export interface AlertEvent {
  alert: Alert;
  change: 'new' | 'again' | 'failing' | 'recovered';
  /** Where it is tracked, when it is (the issue's URL). */
  url?: string;
}

/** The webhook URL from the environment, registered as a secret; undefined when unset or empty. */
export function webhookFromEnv(env: Record<string, string | undefined>): URL | undefined {
  const text = env[WEBHOOK_ENV]?.trim();
  if (!text) return undefined;
  registerWebhookSecret(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookError(`${WEBHOOK_ENV} is not a URL (its value is not shown: it is a secret); expected https://hooks.example.com/...`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookError(`${WEBHOOK_ENV} must be an http(s) URL, not ${url.protocol}`);
  registerWebhookSecret(url.href);
  return url;
}

/** The whole URL, and its path and query alone (a server or a proxy may echo either). */
function registerWebhookSecret(text: string): void {
  registerSecret(text);
  try {
    const url = new URL(text);
    // The path holds the token in Slack's and most others' URLs; a bare "/" is no secret.
    if (url.pathname.length > 1 || url.search) registerSecret(`${url.pathname}${url.search}`);
    if (url.password) registerSecret(decodeURIComponent(url.password));
  } catch {
    // Not a URL: the text itself is registered.
  }
}

const ICON: Record<AlertEvent['change'], string> = { new: '🔴', again: '🔁', failing: '🔴', recovered: '✅' };

/** The message's text: a headline, then one line per event (failures first), links where there are. */
export function renderWebhookText(events: readonly AlertEvent[], context: { runId: string; runUrl?: string; repository?: string }): string {
  const firing = events.filter((e) => e.change !== 'recovered').length;
  const recovered = events.length - firing;
  const where = context.repository ? ` in ${context.repository}` : '';
  const run = context.runUrl ? `<${context.runUrl}|run ${context.runId}>` : `run ${context.runId}`;
  const headline = `dataops${where}: ${[firing && `${firing} failing`, recovered && `${recovered} recovered`].filter(Boolean).join(', ')} (${run})`;
  const sorted = [...events].sort((a, b) => Number(a.change === 'recovered') - Number(b.change === 'recovered'));
  const lines = sorted.slice(0, MAX_LINES).map((e) => `${ICON[e.change]} ${escapeSlack(e.alert.summary)}${e.url ? ` <${e.url}|issue>` : ''}`);
  if (sorted.length > MAX_LINES) lines.push(`… and ${sorted.length - MAX_LINES} more`);
  return [headline, ...lines].join('\n');
}

/** Posts the events as one message; nothing to post, no request. Throws a WebhookError that never holds the URL. */
export async function postWebhook(url: URL, events: readonly AlertEvent[], context: { runId: string; runUrl?: string; repository?: string }, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<boolean> {
  if (events.length === 0) return false;
  const body = JSON.stringify({ text: mask(renderWebhookText(events, context)) });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'dataops-alerts' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? (e as Error).message;
    throw new WebhookError(mask(`posting the alert to the webhook (${WEBHOOK_ENV}) failed: ${why}`));
  }
  const answer = Buffer.from(await response.arrayBuffer());
  if (response.status >= 300) {
    const hint = response.status >= 300 && response.status < 400 ? ' (a redirect, which is not followed: set the final URL)' : response.status === 404 || response.status === 403 ? ` (check ${WEBHOOK_ENV}: the hook may have been revoked)` : '';
    throw new WebhookError(`posting the alert to the webhook (${WEBHOOK_ENV}) failed with HTTP ${response.status}${hint}: ${maskedSnippet(answer)}`);
  }
  return true;
}

/** Slack's three control characters in text; everything else is shown as is. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
