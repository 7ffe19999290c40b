// The engine masks what it prints itself; the runner must also know each secret, so that it hides the
// value in any line (ours, a later step's, a crash's) and in the job summary.
import * as core from '@actions/core';
import { formatLogEvent, type LogFields } from '../../../src/log.js';
import { registeredSecrets } from '../../../src/secrets.js';

const announced = new Set<string>();

/** Tells the runner about secrets registered since the last call; cheap enough to call before every line. */
export function announceSecrets(): void {
  for (const secret of registeredSecrets()) {
    if (announced.has(secret)) continue;
    core.setSecret(secret);
    announced.add(secret);
  }
}

/**
 * A log function for the engine: secrets are announced before the line that might hold one. Readable lines,
 * or with DATAOPS_LOG_FORMAT=json one JSON object per event (run id, pipeline, step, counts) for log tools.
 */
export function logLine(line: string, fields?: LogFields): void {
  announceSecrets();
  core.info(formatLogEvent(process.env.DATAOPS_LOG_FORMAT?.trim() === 'json' ? 'json' : 'text', line, fields));
}
