#!/usr/bin/env node
// The CLI is compiled to build/ by `npm install` (the "prepare" script).
import { main } from '../build/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
