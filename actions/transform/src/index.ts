// The runner starts here (action.yml: main: dist/index.js, bundled by `npm run build:actions`).
import '../../shared/src/cjs-globals.js';
import { run } from './main.js';

await run();
