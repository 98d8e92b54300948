import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../test/run-cli.js';

// --parallel: shards of 64 rows (or --shard-size) on shard threads. The rows must be the same as in one thread, byte
// for byte, for every command that runs them; 130 rows make three shards of 64, so two threads share them unevenly.
const rows = ['--data', 'data/perov_5/val.csv', '--limit', '130', '--model', 'perov_5', '--steps', '2', '--seed', '5'];

describe('--parallel', () => {
  test('crys predict --data on 2 threads writes the file it writes on 1', () => {
    const dir = tempDir();
    const one = join(dir, 'one.csv');
    const two = join(dir, 'two.csv');
    const a = runCli(['predict', ...rows, '--parallel', '1', '--out', one]);
    expect(a.code, a.stderr).toBe(0);
    const b = runCli(['predict', ...rows, '--parallel', '2', '--out', two]);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toMatch(/^predicted 130 structure\(s\) with model perov_5 in [\d.]+ s; wrote /);
    expect(b.stdout).toMatch(
      /^predicted 130 structure\(s\) with model perov_5 in [\d.]+ s on 2 threads; wrote .*two\.csv/,
    );
    expect(readFileSync(two, 'utf8')).toBe(readFileSync(one, 'utf8'));
  }, 120_000);

  test('crys eval on 2 threads scores the predictions it scores on 1', () => {
    const metrics = (parallel: string) => {
      const r = runCli(['eval', ...rows, '--parallel', parallel, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(m.parallel).toBe(Number(parallel));
      delete m.seconds;
      delete m.parallel;
      return m;
    };
    const one = metrics('1');
    expect(one.rows).toBe(130);
    expect(metrics('2')).toEqual(one);
  }, 120_000);

  test('a sharded job on 2 threads writes the output of 1 thread; the manifest names each shard’s thread', () => {
    const dir = tempDir();
    const job = ['predict', ...rows.slice(0, 2), '--limit', '9', ...rows.slice(4), '--shard-size', '4'];
    const one = join(dir, 'one.csv');
    const two = join(dir, 'two.csv');
    expect(runCli([...job, '--parallel', '1', '--out', one]).code).toBe(0);
    const r = runCli([...job, '--parallel', '2', '--out', two]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(two, 'utf8')).toBe(readFileSync(one, 'utf8'));
    const shards = (m: string) =>
      (JSON.parse(readFileSync(`${m}.manifest.json`, 'utf8')) as { shards: { shard: number; worker: string }[] })
        .shards;
    expect(shards(one).map((s) => s.worker)).toEqual(['embedded', 'embedded', 'embedded']);
    const threaded = shards(two);
    expect(threaded.map((s) => s.shard)).toEqual([0, 1, 2]);
    for (const s of threaded) expect(s.worker).toMatch(/^embedded thread [12]$/);
  }, 120_000);

  test('--parallel 0, --parallel many, --parallel with --queue or --candidates are usage errors before any work', () => {
    const out = join(tempDir(), 'x.csv');
    for (const bad of ['0', 'many']) {
      const r = runCli(['predict', ...rows, '--parallel', bad, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`option '--parallel <n>' argument '${bad}' is invalid`);
    }
    const q = runCli(['predict', ...rows, '--parallel', '2', '--queue', 'redis://127.0.0.1:9/crys', '--out', out]);
    expect(q.code).toBe(2);
    expect(q.stderr).toContain('--parallel runs shards on this machine and cannot be combined with --queue');
    expect(q.stderr).toContain('--concurrency');
    const c = runCli(['predict', ...rows, '--candidates', '2', '--parallel', '2', '--out', out]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--candidates runs in this process's thread; it does not combine with --parallel 2");
    expect(existsSync(out)).toBe(false);
  });
});
