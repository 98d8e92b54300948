import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screeningCsv, startWorker, until, type WorkerProc } from '../../test/jobs.js';
import { hasRedis, startRedis, type TestRedis } from '../../test/redis.js';
import { REPO, runCli, tempDir } from '../../test/run-cli.js';

const manifest = (out: string) => JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));

// The slower fault tests of distributed jobs (about a minute on two busy cores): `pnpm test:slow`.
describe.skipIf(!hasRedis())('crys worker faults on a test redis-server', () => {
  let dir: string;
  let redis: TestRedis;
  let csv: string;
  const workers: WorkerProc[] = [];

  beforeAll(async () => {
    dir = tempDir('crys-jobs-slow-');
    redis = await startRedis(dir, { appendonly: true });
    csv = screeningCsv(dir, 10);
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await redis?.stop('SIGKILL');
  });

  test('a worker killed with kill -9 mid-shard: another takes its shard over, every row once, same output', async () => {
    const url = redis.url('q2');
    const args = ['predict', '--data', csv, '--model', 'perov_5', '--steps', '20', '--seed', '3', '--shard-size', '2'];
    const ref = join(dir, 'slow-embedded.csv');
    expect(runCli([...args, '--out', ref]).code).toBe(0);
    const out = join(dir, 'killed.csv');
    const submit = runCli([...args, '--queue', url, '--out', out, '--detach']);
    expect(submit.code).toBe(0);
    const a = startWorker(url, [], 4); // the main thread renews the lock during a shard: only the kill stalls it
    workers.push(a);
    await until(() => /shard \d+\/7 of run/.test(a.log()), 60_000, 'the first shard');
    await new Promise((r) => setTimeout(r, 150)); // into the next shard
    a.proc.kill('SIGKILL');
    const b = startWorker(url, [], 4);
    workers.push(b);
    await until(
      () => {
        const s = JSON.parse(runCli(['jobs', 'status', '--queue', url, '--json']).stdout);
        return s.runs[0].completed + s.runs[0].failed === 7;
      },
      90_000,
      'the run to finish',
    );
    const c = runCli(['jobs', 'collect', '--queue', url, '--out', out]);
    expect(c.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(ref, 'utf8'));
    const m = manifest(out);
    expect(m.failedShards).toBe(0);
    expect(m.stalled).toBeGreaterThanOrEqual(1);
    expect(new Set(m.shards.map((s: { worker: string }) => s.worker)).size).toBeGreaterThanOrEqual(1);
    b.proc.kill('SIGTERM');
  }, 180_000);

  test("a worker whose model file differs from the job's refuses it, saying both hashes, and the shard waits", async () => {
    const url = redis.url('q4');
    const model = join(dir, 'model.json');
    copyFileSync(join(REPO, 'packages/model/models/perov_5/model.json'), model);
    const args = ['predict', '--data', csv, '--model', model, '--steps', '2', '--shard-size', '20', '--queue', url];
    expect(runCli([...args, '--out', join(dir, 'x.csv'), '--detach']).code).toBe(0);
    writeFileSync(model, `${readFileSync(model, 'utf8')}\n`); // another file: same model, different bytes
    const w = startWorker(url);
    expect(await w.exited()).toBe(1);
    expect(w.log()).toMatch(
      /refuses the job: its model .*model\.json .* has sha256 [0-9a-f]{12}…, the job was submitted with sha256 [0-9a-f]{12}…/,
    );
    const status = JSON.parse(runCli(['jobs', 'status', '--queue', url, '--json']).stdout);
    expect(status.runs[0]).toMatchObject({ completed: 0, failed: 0 });
    expect(Object.values(status.runs[0].refusals)[0]).toMatch(/refuses the job/);
    expect(runCli(['jobs', 'cancel', '--queue', url]).stdout).toMatch(
      /^cancelled run [0-9a-f]{16}: 1 shard\(s\) removed/,
    );
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  }, 120_000);
  test('crys eval --shard-size and --queue give the report of plain crys eval', async () => {
    const url = redis.url('q6');
    const w = startWorker(url);
    workers.push(w);
    const args = ['eval', '--data', 'data/perov_5/val.csv', '--model', 'perov_5', '--split', 'all', '--limit', '6'];
    const run = (extra: string[]) => {
      const r = runCli([...args, '--steps', '2', '--json', ...extra]);
      expect(r.code).toBe(0);
      const { seconds, ...rest } = JSON.parse(r.stdout);
      expect(seconds).toBeGreaterThan(0);
      return rest;
    };
    const plain = run([]);
    expect(plain.rows).toBe(6);
    expect(run(['--shard-size', '4'])).toEqual(plain);
    expect(run(['--shard-size', '4', '--queue', url])).toEqual(plain);
    w.proc.kill('SIGTERM');
  }, 120_000);

  test('--queue to a port where no Redis listens fails within seconds, naming the address', async () => {
    const { freePort } = await import('../../test/redis.js');
    const port = await freePort();
    const r = runCli([
      'predict',
      '--data',
      csv,
      '--model',
      'perov_5',
      '--shard-size',
      '4',
      '--out',
      join(dir, 'n.csv'),
      '--queue',
      `redis://127.0.0.1:${port}/x`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot reach Redis at 127.0.0.1:${port} (--queue redis://127.0.0.1:${port}/x) within 10 s`,
    );
    expect(existsSync(join(dir, 'n.csv'))).toBe(false);
  }, 60_000);
});
