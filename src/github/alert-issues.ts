// Alerts as GitHub issues: one open issue per alert (a pipeline's failed runs, a failing check, a stale
// table), opened once, commented on at each new occurrence, and closed with a comment on recovery, so the
// on-call sees each problem exactly once, with its history in one place. Issues are found by a marker hidden
// in their body (a person may edit the title) under the kind's label.
import type { Alert, AlertKind } from '../alerts/alerts.js';
import { mask } from '../secrets.js';
import { describeGitHubError, type GitHub, type Repo } from './client.js';

export const ALERT_LABELS: Record<AlertKind, string> = {
  run: 'dataops:run-failed',
  check: 'dataops:check-failed',
  freshness: 'dataops:freshness',
};

/** Freshness issues keep the marker they were first opened with, so that open ones are still found. */
function marker(alert: Pick<Alert, 'kind' | 'key'>): string {
  return alert.kind === 'freshness' ? `<!-- dataops:freshness table=${alert.key} -->` : `<!-- dataops:${alert.kind} key=${encodeURIComponent(alert.key)} -->`;
}

const MARKER = /<!-- dataops:([\w-]+) (?:table|key)=(\S+) -->/;
/** Freshness issues opened before markers (or with the marker edited away) are still found by title. */
const FRESHNESS_TITLE = /^Freshness: ([\w.]+) is stale$/;

export interface SyncedIssue {
  alert: Alert;
  number: number;
  url: string;
}

export interface AlertSync {
  opened: SyncedIssue[];
  /** Still firing: a comment added for this occurrence. */
  updated: SyncedIssue[];
  /** Still firing, and its kind adds no comment per occurrence (freshness). */
  alreadyOpen: SyncedIssue[];
  closed: SyncedIssue[];
}

interface OpenIssue {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  pull_request?: unknown;
}

/**
 * Brings the issues in line with the given alerts: each firing alert has one open issue (opened, or
 * commented on), and each resolved alert's open issue is closed. Alerts not given are left alone, so a job
 * that ran one pipeline never touches another pipeline's issues.
 */
export async function syncAlertIssues(github: GitHub, repo: Repo, alerts: readonly Alert[]): Promise<AlertSync> {
  const result: AlertSync = { opened: [], updated: [], alreadyOpen: [], closed: [] };
  const kinds = [...new Set(alerts.map((a) => a.kind))];
  const open = new Map<string, OpenIssue>();
  for (const kind of kinds) for (const [key, issue] of await openIssues(github, repo, kind)) open.set(`${kind}:${key}`, issue);

  for (const alert of alerts) {
    const issue = open.get(`${alert.kind}:${alert.key}`);
    if (alert.state === 'firing' && !issue) {
      try {
        const { data } = await github.rest.issues.create({ ...repo, title: mask(alert.title), body: mask(`${marker(alert)}\n${alert.body}`), labels: [ALERT_LABELS[alert.kind]] });
        result.opened.push({ alert, number: data.number, url: data.html_url });
        // Two alerts with one key (never expected) still open one issue.
        open.set(`${alert.kind}:${alert.key}`, data);
      } catch (e) {
        throw describeGitHubError(`opening the issue "${alert.title}"`, e);
      }
    } else if (alert.state === 'firing' && issue) {
      const synced = { alert, number: issue.number, url: issue.html_url };
      if (alert.again === undefined) {
        result.alreadyOpen.push(synced);
        continue;
      }
      try {
        await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: mask(alert.again) });
        result.updated.push(synced);
      } catch (e) {
        throw describeGitHubError(`commenting on issue #${issue.number} ("${alert.title}")`, e);
      }
    } else if (alert.state === 'resolved' && issue) {
      try {
        await github.rest.issues.createComment({ ...repo, issue_number: issue.number, body: mask(alert.recovered) });
        await github.rest.issues.update({ ...repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' });
        result.closed.push({ alert, number: issue.number, url: issue.html_url });
        open.delete(`${alert.kind}:${alert.key}`);
      } catch (e) {
        throw describeGitHubError(`closing issue #${issue.number} ("${alert.title}")`, e);
      }
    }
  }
  return result;
}

/** The open issues of one kind, by key; the oldest issue of a key is the one kept. */
async function openIssues(github: GitHub, repo: Repo, kind: AlertKind): Promise<Map<string, OpenIssue>> {
  let listed: OpenIssue[];
  try {
    listed = await github.paginate(github.rest.issues.listForRepo, { ...repo, state: 'open', labels: ALERT_LABELS[kind], per_page: 100 });
  } catch (e) {
    throw describeGitHubError(`listing the open ${ALERT_LABELS[kind]} issues`, e);
  }
  const byKey = new Map<string, OpenIssue>();
  for (const issue of listed) {
    // A pull request with the label is not an alert's issue.
    if (issue.pull_request) continue;
    const found = MARKER.exec(issue.body ?? '');
    const key = found && found[1] === kind
      ? decodeKey(found[2])
      : kind === 'freshness' ? FRESHNESS_TITLE.exec(issue.title)?.[1] : undefined;
    // The listing is newest first: the last one seen is the oldest.
    if (key !== undefined) byKey.set(key, issue);
  }
  return byKey;
}

function decodeKey(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
