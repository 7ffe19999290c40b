// Input and output names of this action; they match action.yml (checked by test/integration/action-metadata.test.ts).
import { RUN_INPUTS, RUN_OUTPUTS } from '../../shared/src/inputs.js';

export const INPUTS = {
  ...RUN_INPUTS,
  // Both empty: a normal run from each cursor; both set: a backfill of [from, to) (src/backfill.ts).
  backfillFrom: { name: 'backfill-from', default: '' },
  backfillTo: { name: 'backfill-to', default: '' },
} as const;
export const OUTPUTS = RUN_OUTPUTS;
