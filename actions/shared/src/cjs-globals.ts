// snowflake-sdk reads __dirname and __filename, which an ES module does not have. The bundle is ESM, so
// they are defined here, as the bundle's own file and folder, before the engine can load the driver.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const globals = globalThis as { __dirname?: string; __filename?: string };
globals.__filename ??= fileURLToPath(import.meta.url);
globals.__dirname ??= dirname(globals.__filename);
