// transform: bronze -> silver for the selected pipelines, then the gold models downstream of them.
import * as core from '@actions/core';
import { readRunSettings } from '../../shared/src/inputs.js';
import { reportStep, runFailure, runStep, settle } from '../../shared/src/step.js';
import { INPUTS, OUTPUTS } from './inputs.js';

export async function run(): Promise<void> {
  const failure = await settle('transform', OUTPUTS, async () => {
    const settings = readRunSettings(INPUTS);
    const step = await runStep('transform', settings, ['transform']);
    await reportStep(step, OUTPUTS);
    return runFailure(step);
  });
  if (failure) core.setFailed(failure);
}
