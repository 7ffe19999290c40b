// The demo API in its own process, so the client under test does not share a thread with the server.
// Prints {"url": ...} on its first line; stops on SIGTERM.
import { startDemoApi } from '../src/demo/server.js';
import { flag } from './flags.js';

const api = await startDemoApi({ token: flag('token', 'bench-token'), benchRecords: Number(flag('records', '1000000')), anchor: new Date('2026-11-20T12:00:00Z') });
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
process.once('SIGTERM', () => void api.close().then(() => process.exit(0)));
