import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { FIXTURES, hasAnsi, runCli, tempDir } from '../test/run-cli.js';
import { createProgress } from './progress.js';
import { createTerm } from './term.js';

/** A term whose stderr is a string, a terminal or not. */
function termOn(tty: boolean) {
  let err = '';
  const stderr = {
    isTTY: tty,
    columns: 200,
    write: (s: string) => {
      err += s;
      return true;
    },
  };
  const stdout = { write: () => true };
  return { term: createTerm(stdout, stderr, {}), err: () => err };
}

describe('createProgress', () => {
  test('createProgress(term) writes plain lines, without carriage returns or a bar, when stderr is not a terminal', () => {
    const { term, err } = termOn(false);
    const p = createProgress(term, { label: 'evaluating', total: 4, unit: 'crystals', delayMs: 0, intervalMs: 0 });
    p.update(1, 'first');
    p.update(4);
    p.finish();
    const lines = err().trimEnd().split('\n');
    expect(err()).not.toContain('\r');
    expect(err()).not.toContain('█');
    expect(hasAnsi(err())).toBe(false);
    expect(lines[0]).toMatch(/^evaluating {2}1\/4 crystals {2}ETA .* {2}first$/);
    expect(lines.at(-1)).toMatch(/^evaluating {2}4\/4 crystals {2}in \d/);
  });

  test('createProgress(term) redraws one line with a bar on a terminal; clear() removes it before stdout output', () => {
    const { term, err } = termOn(true);
    const p = createProgress(term, { label: 'quickstart', total: 2, unit: 'jobs', delayMs: 0, intervalMs: 0 });
    p.update(1);
    expect(err()).toMatch(/^\rquickstart {2}\[█+░+\] {2}1\/2 jobs/);
    const before = err().length;
    p.clear();
    expect(err().slice(before)).toMatch(/^\r +\r$/);
  });

  test('createProgress(term, { initial }) estimates the time left from the work done since it started (a resumed run)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { term, err } = termOn(false);
      const p = createProgress(term, { label: 'training', total: 10000, unit: 'steps', initial: 3750, delayMs: 0 });
      vi.advanceTimersByTime(10_000);
      p.update(3850); // 100 steps in 10 s: 6150 steps left take 615 s, not 10 s × 6150 / 3850
      expect(err()).toMatch(/^training {2}3850\/10000 steps {2}ETA 10 min 15 s {2}10 s\n$/);
    } finally {
      vi.useRealTimers();
    }
  });

  test('createProgress(term) with an unknown total shows the label and the time, not a count of 0', () => {
    const { term, err } = termOn(false);
    createProgress(term, { label: 'scoring', total: 0, delayMs: 0 }).finish('380 crystals');
    expect(err()).toMatch(/^scoring {2}in \S+ \S+ {2}380 crystals\n$/);
  });

  test('createProgress(term) stays quiet for work shorter than its delay', () => {
    const { term, err } = termOn(false);
    const p = createProgress(term, { label: 'reading', total: 10 });
    p.update(5);
    p.finish();
    expect(err()).toBe('');
  });
});

describe('progress of the commands', () => {
  test('crys train shows the latest validation loss and its step on the progress line', () => {
    const out = join(tempDir(), 'run');
    const tiny = [
      '--hidden',
      '8',
      '--layers',
      '1',
      '--batch-size',
      '8',
      '--valid-every',
      '3',
      '--checkpoint-every',
      '3',
    ];
    const data = join(FIXTURES, 'perov-60.csv');
    const r = runCli(['train', '--task', 'denoise', '--data', data, '--out', out, '--steps', '6', ...tiny]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^training denoise {2}6\/6 steps {2}in .* {2}best val \d\.\d{4} at step [36]$/m);
    // the first progress line is drawn at the first record it hears of, the validation at step 3
    expect(r.stderr).toMatch(/^training denoise {2}3\/6 steps .* {2}val \d\.\d{4} @ 3$/m);
  });

  test('crys quickstart reports each job on stderr in plain lines when stderr is a pipe; stdout keeps only the report', () => {
    const r = runCli(['quickstart', '--crystals', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^quickstart {2}4\/4 jobs {2}in /m);
    expect(r.stderr).not.toContain('\r');
    expect(hasAnsi(r.stderr)).toBe(false);
    expect(r.stdout).not.toContain('jobs');
  });
});
