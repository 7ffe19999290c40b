// Input and output names of this action; they match action.yml (checked by test/integration/action-metadata.test.ts).
import { RUN_INPUTS, RUN_OUTPUTS } from '../../shared/src/inputs.js';

export const INPUTS = {
  ...RUN_INPUTS,
  failOn: { name: 'fail-on', default: 'error' },
  reportDir: { name: 'report-dir', default: '' },
  changedFiles: { name: 'changed-files', default: '' },
  scopeFile: { name: 'scope-file', default: '' },
  diffFile: { name: 'diff-file', default: '' },
  githubToken: { name: 'github-token', default: '' },
  prComment: { name: 'pr-comment', default: 'false' },
  freshnessIssues: { name: 'freshness-issues', default: 'false' },
  alertIssues: { name: 'alert-issues', default: 'false' },
} as const;

export const OUTPUTS = { ...RUN_OUTPUTS, reportPath: 'report-path', commentUrl: 'comment-url' } as const;
