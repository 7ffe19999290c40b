// The change a pull request makes, as steps before the gate worked it out: the plan (in the scope file)
// and the data diff (the diff file). They inform the report and never decide the gate.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { parseDiffReport } from '../../../src/diff/report-file.js';
import { renderDiffSection, type PrReport } from '../../../src/github/pr-comment.js';
import { renderPlanMarkdown } from '../../../src/github/pr-plan.js';
import type { PrScope } from '../../../src/github/pr-scope.js';
import { writeStepSummary } from '../../../src/report/summary.js';
import { mask } from '../../../src/secrets.js';
import { INPUTS } from './inputs.js';

export type ChangeReport = Pick<PrReport, 'diff' | 'diffUnavailable'>;

/**
 * The diff a step before this one computed. It informs the report and never decides the gate: a file
 * that is missing, empty (the step that writes it failed) or not a diff is a warning, and the report
 * says so in the diff's place.
 */
export async function readDiff(file: string): Promise<ChangeReport> {
  if (!file) return {};
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (e) {
    return diffUnavailable(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return { diff: parseDiffReport(text, file) };
  } catch (e) {
    return diffUnavailable((e as Error).message);
  }
}

function diffUnavailable(why: string): ChangeReport {
  core.warning(`${INPUTS.diffFile.name}: ${why}`);
  return { diffUnavailable: why };
}

/** GitHub refuses a step summary over 1,024 KB; the plan and the diff get what the gate's own summary leaves. */
const SUMMARY_BYTES = 1_024 * 1_024 - 16_384;

/** The plan and the diff in the job summary too: a fork's pull request, which cannot comment, shows them there. */
export async function summarizeChange(scope: PrScope | undefined, change: ChangeReport): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file || (!scope?.changes && !change.diff && !change.diffUnavailable)) return;
  let room = SUMMARY_BYTES - (existsSync(file) ? statSync(file).size : 0);
  // Half the room at most for the plan, which counts characters: one is at most 4 UTF-8 bytes.
  const plan = scope?.changes ? renderPlanMarkdown(scope.changes, { maxChars: Math.floor(room / 8) }) : '';
  room -= Buffer.byteLength(plan, 'utf8');
  const diff = renderDiffSection(change, { maxChars: room, maxBytes: room });
  await writeStepSummary(mask([plan, diff].filter(Boolean).join('\n')), process.env);
}
