// ingest: source -> bronze for the selected pipelines, starting a run (or continuing `run-id`); with
// backfill-from and backfill-to, it fetches that window again instead (a backfill).
import * as core from '@actions/core';
import { readBackfillWindow, readRunSettings } from '../../shared/src/inputs.js';
import { reportStep, runFailure, runStep, settle } from '../../shared/src/step.js';
import { INPUTS, OUTPUTS } from './inputs.js';

export async function run(): Promise<void> {
  const failure = await settle('ingest', OUTPUTS, async () => {
    const settings = readRunSettings(INPUTS);
    const window = readBackfillWindow(INPUTS.backfillFrom, INPUTS.backfillTo);
    const step = await runStep('ingest', settings, ['ingest'], { window });
    await reportStep(step, OUTPUTS);
    return runFailure(step);
  });
  if (failure) core.setFailed(failure);
}
