// quality-gate: runs the declared checks and fails the job by the `fail-on` policy; optionally builds
// the report site for Pages.
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { withWarehouse } from '../../../src/engine.js';
import { buildSite } from '../../../src/report/site.js';
import { readHistory } from '../../../src/state/status.js';
import { parseChoice, readInput, readRunSettings } from '../../shared/src/inputs.js';
import { FAIL_ON, reportStep, runFailure, runStep, settle, type StepRun } from '../../shared/src/step.js';
import { INPUTS, OUTPUTS } from './inputs.js';

export async function run(): Promise<void> {
  const failure = await settle('quality-gate', OUTPUTS, async () => {
    const settings = readRunSettings(INPUTS);
    const failOn = parseChoice(INPUTS.failOn.name, readInput(INPUTS.failOn), FAIL_ON);
    const reportDir = readInput(INPUTS.reportDir);
    const step = await runStep('quality-gate', settings, ['check']);
    if (reportDir) core.setOutput(OUTPUTS.reportPath, await publishSite(step, reportDir));
    await reportStep(step, OUTPUTS);
    return runFailure(step, failOn);
  });
  if (failure) core.setFailed(failure);
}

/** Builds the site from the status after the checks; a relative folder is inside the project. */
async function publishSite(step: StepRun, reportDir: string): Promise<string> {
  const history = await withWarehouse(step.settings, (w) => readHistory(w));
  const { indexPath } = await buildSite(step.report, resolve(step.settings.projectDir, reportDir), { history });
  core.info(`report site: ${indexPath}`);
  return indexPath;
}
