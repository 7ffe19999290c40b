// Where a step's alerts go: GitHub issues for the kinds the caller tracks there, then one webhook message
// with what changed (opened, failed again, recovered), or, for alerts no issue tracks, what is failing.
// Delivery reports on the step and never decides it: each failure is a line for the caller to warn with.
import type { GitHub, Repo } from '../github/client.js';
import { syncAlertIssues, type AlertSync } from '../github/alert-issues.js';
import { mask } from '../secrets.js';
import type { Alert, AlertKind } from './alerts.js';
import { postWebhook, type AlertEvent } from './webhook.js';

export interface DeliveryTargets {
  /** Issues for the alerts of these kinds. */
  github?: { client: GitHub; repo: Repo; kinds: readonly AlertKind[] };
  webhook?: URL;
  /** Bound on the webhook request (default WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs?: number;
  runId: string;
  runUrl?: string;
}

export interface Delivery {
  issues?: AlertSync;
  events: AlertEvent[];
  webhookSent: boolean;
  /** Lines to warn with: what could not be delivered, and why (masked). */
  problems: string[];
}

export async function deliverAlerts(alerts: readonly Alert[], targets: DeliveryTargets): Promise<Delivery> {
  const delivery: Delivery = { events: [], webhookSent: false, problems: [] };
  const tracked = targets.github ? alerts.filter((a) => targets.github!.kinds.includes(a.kind)) : [];
  const untracked = alerts.filter((a) => !tracked.includes(a));
  if (targets.github && tracked.length) {
    try {
      const synced = await syncAlertIssues(targets.github.client, targets.github.repo, tracked);
      delivery.issues = synced;
      delivery.events.push(
        ...synced.opened.map((i) => ({ alert: i.alert, change: 'new' as const, url: i.url })),
        ...synced.updated.map((i) => ({ alert: i.alert, change: 'again' as const, url: i.url })),
        ...synced.closed.map((i) => ({ alert: i.alert, change: 'recovered' as const, url: i.url })),
      );
    } catch (e) {
      delivery.problems.push(`could not update the alert issues: ${mask(e instanceof Error ? e.message : String(e))}`);
      // The webhook still says what is failing.
      untracked.push(...tracked);
    }
  }
  delivery.events.push(...untracked.filter((a) => a.state === 'firing').map((alert) => ({ alert, change: 'failing' as const })));
  if (targets.webhook) {
    try {
      delivery.webhookSent = await postWebhook(targets.webhook, delivery.events, { runId: targets.runId, runUrl: targets.runUrl, repository: targets.github && `${targets.github.repo.owner}/${targets.github.repo.repo}` }, targets.webhookTimeoutMs);
    } catch (e) {
      delivery.problems.push(mask(e instanceof Error ? e.message : String(e)));
    }
  }
  return delivery;
}
