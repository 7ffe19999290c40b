#!/usr/bin/env node
// The CLI is compiled to build/ by `npm install` (the "prepare" script).
import { main } from '../build/src/cli/main.js';

// A reader that stops early (`dataops plan --json | head`) closes the pipe: that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
