// How events print: the JSON line's fields, masking, progress redrawn in place on a terminal and kept as
// lines elsewhere, and the progress clock (a fake one: no test waits).
import { describe, expect, test } from 'vitest';
import { cliLog } from '../../../src/cli/log-output.js';
import { SourceError, UsageError } from '../../../src/errors.js';
import { errorCode, formatLogEvent, Progress, resolveLogFormat } from '../../../src/log.js';
import { registerSecret } from '../../../src/secrets.js';

describe('formatLogEvent', () => {
  test('json: the fields a log tool groups by, in a fixed order, masked in every encoding', () => {
    const secret = 'hunter2-"quoted"-secret';
    registerSecret(secret);
    const line = formatLogEvent('json', `GET /x?token=${secret}`, { level: 'warn', event: 'retry', run_id: 'run_1', pipeline: 'p', step: 'ingest', resource: 'r', counts: { attempt: 1 }, duration_ms: 12, error_code: 'source_error' }, new Date('2026-11-30T01:00:00Z'));
    expect(Object.keys(JSON.parse(line))).toEqual(['time', 'level', 'event', 'run_id', 'pipeline', 'step', 'resource', 'counts', 'duration_ms', 'error_code', 'message']);
    expect(JSON.parse(line)).toMatchObject({ time: '2026-11-30T01:00:00.000Z', message: 'GET /x?token=***' });
    expect(line).not.toContain('hunter2');
    expect(formatLogEvent('text', `token ${secret}`)).toBe('token ***');
  });

  test.each([
    [new SourceError('x'), 'source_error'],
    [new UsageError('x'), 'usage_error'],
    [new TypeError('x'), 'internal_error'],
  ])('errorCode(%s) is %s', (e, code) => expect(errorCode(e)).toBe(code));

  test('the format: the option, else DATAOPS_LOG_FORMAT, else text; anything else is a usage error', () => {
    expect(resolveLogFormat(undefined, {})).toBe('text');
    expect(resolveLogFormat(undefined, { DATAOPS_LOG_FORMAT: 'json' })).toBe('json');
    expect(resolveLogFormat('text', { DATAOPS_LOG_FORMAT: 'json' })).toBe('text');
    expect(() => resolveLogFormat(undefined, { DATAOPS_LOG_FORMAT: 'xml' })).toThrow(UsageError);
  });
});

describe('cliLog', () => {
  test('on a terminal, progress is redrawn in place and cleared before the next line', () => {
    const written: string[] = [];
    const log = cliLog({ out: (t) => written.push(`out:${t}`), rewrite: (t) => written.push(`tty:${t}`) }, 'text');
    log('p.r: 1 pages, 100 records so far', { event: 'progress' });
    log('p.r: 2 pages, 200 records so far', { event: 'progress' });
    log('p.r: received 250');
    log('p.s: received 3');
    expect(written).toEqual(['tty:\r\x1b[Kp.r: 1 pages, 100 records so far', 'tty:\r\x1b[Kp.r: 2 pages, 200 records so far', 'tty:\r\x1b[K', 'out:p.r: received 250', 'out:p.s: received 3']);
  });

  test('without a terminal, and in json, progress is a line like any other', () => {
    for (const format of ['text', 'json'] as const) {
      const written: string[] = [];
      const log = cliLog({ out: (t) => written.push(t) }, format);
      log('p.r: 1 pages, 100 records so far', { event: 'progress', counts: { pages: 1, records: 100 } });
      expect(written).toHaveLength(1);
      expect(written[0]).toContain('p.r: 1 pages, 100 records so far');
    }
  });
});

describe('Progress', () => {
  test('reports at most once per interval, checked at each page; an interval of 0 reports every page', () => {
    let now = 0;
    const reports: Array<[number, number]> = [];
    const progress = new Progress(10, (pages, records) => reports.push([pages, records]), () => now);
    for (const t of [1_000, 5_000, 10_000, 12_000, 19_999, 20_000, 45_000]) {
      now = t;
      progress.page(100);
    }
    expect(reports).toEqual([[3, 300], [6, 600], [7, 700]]);
    const every: number[] = [];
    const zero = new Progress(0, (pages) => every.push(pages), () => 0);
    for (let i = 0; i < 3; i++) zero.page(1);
    expect(every).toEqual([1, 2, 3]);
  });
});
