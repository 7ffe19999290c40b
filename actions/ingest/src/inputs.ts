// Input and output names of this action; they match action.yml (checked by test/integration/action-metadata.test.ts).
import { RUN_INPUTS, RUN_OUTPUTS } from '../../shared/src/inputs.js';

export const INPUTS = RUN_INPUTS;
export const OUTPUTS = RUN_OUTPUTS;
