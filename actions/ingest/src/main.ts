// ingest: source -> bronze for the selected pipelines, starting a run (or continuing `run-id`).
import * as core from '@actions/core';
import { readRunSettings } from '../../shared/src/inputs.js';
import { reportStep, runFailure, runStep, settle } from '../../shared/src/step.js';
import { INPUTS, OUTPUTS } from './inputs.js';

export async function run(): Promise<void> {
  const failure = await settle('ingest', OUTPUTS, async () => {
    const settings = readRunSettings(INPUTS);
    const step = await runStep('ingest', settings, ['ingest']);
    await reportStep(step, OUTPUTS);
    return runFailure(step);
  });
  if (failure) core.setFailed(failure);
}
