// The runner starts here (action.yml: main: dist/index.js, bundled by `npm run build:actions`).
import { run } from './main.js';

await run();
