// The GitHub REST client the actions use, and where a run is in GitHub (repository, pull request, run
// URL), read from the variables and the event payload the runner provides.
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { DataOpsError } from '../errors.js';

export type GitHub = Octokit;

export interface Repo {
  owner: string;
  repo: string;
}

/** A GitHub API call failed; the message names the call and GitHub's answer. */
export class GitHubError extends DataOpsError {
  override name = 'GitHubError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function createGitHub(token: string, env: Record<string, string | undefined> = process.env): GitHub {
  // GITHUB_API_URL differs on GitHub Enterprise Server (and in tests, where it is a loopback server).
  return new Octokit({
    auth: token,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'dataops-actions',
    // Failed requests are reported once, by the caller, with what to do; Octokit's own lines would repeat them.
    log: { debug: () => undefined, info: () => undefined, warn: (message: string) => console.warn(message), error: () => undefined },
  });
}

export function repoFromEnv(env: Record<string, string | undefined> = process.env): Repo {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new GitHubError(`GITHUB_REPOSITORY is ${JSON.stringify(env.GITHUB_REPOSITORY ?? '')}: expected owner/name, as the runner sets it`);
  return { owner, repo };
}

export interface RunContext {
  repo: Repo;
  /** The pull request this run is for, when the event is one. */
  pullRequest?: { number: number; headSha?: string; fork: boolean };
  /** Link to this workflow run's page. */
  runUrl?: string;
  /** Base of links to a file at the commit under test: `${blobUrl}/pipelines/x.yml#L3`. */
  blobUrl?: string;
}

export function runContextFromEnv(env: Record<string, string | undefined> = process.env): RunContext {
  const repo = repoFromEnv(env);
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const payload = readEvent(env.GITHUB_EVENT_PATH);
  const pr = (payload.pull_request ?? undefined) as
    | { number?: unknown; head?: { sha?: unknown; repo?: { full_name?: unknown } | null }; base?: { repo?: { full_name?: unknown } } }
    | undefined;
  const number = typeof pr?.number === 'number' ? pr.number : undefined;
  const headSha = typeof pr?.head?.sha === 'string' ? pr.head.sha : undefined;
  const sha = headSha ?? env.GITHUB_SHA;
  return {
    repo,
    pullRequest: number === undefined ? undefined : { number, headSha, fork: pr?.head?.repo?.full_name !== undefined && pr.head.repo.full_name !== pr.base?.repo?.full_name },
    runUrl: env.GITHUB_RUN_ID ? `${server}/${repo.owner}/${repo.repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
    blobUrl: sha ? `${server}/${repo.owner}/${repo.repo}/blob/${sha}` : undefined,
  };
}

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** Turns an Octokit RequestError into a GitHubError saying which call failed and why. */
export function describeGitHubError(what: string, e: unknown): GitHubError {
  const status = typeof (e as { status?: unknown }).status === 'number' ? (e as { status: number }).status : undefined;
  const message = e instanceof Error ? e.message : String(e);
  const hint =
    status === 403 || status === 404
      ? ' (the token lacks permission: give the job `permissions:` pull-requests: write for the PR comment and issues: write for freshness issues; a pull request from a fork gets a read-only token)'
      : status === 401
        ? ' (the token is missing or expired)'
        : '';
  return new GitHubError(`${what} failed${status ? ` with HTTP ${status}` : ''}: ${message}${hint}`, status);
}
