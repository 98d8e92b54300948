import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv, writeCif } from '@crys/io';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { screeningCsv, startWorker, until, type WorkerProc } from '../../test/jobs.js';
import { REPO, runCli, tempDir } from '../../test/run-cli.js';
import { hasRedis, startRedis, type TestRedis } from '../../test/redis.js';
import { mergeShards } from './output.js';
import { parseQueueUrl } from './queue.js';
import type { JobSpec } from './shards.js';

const spec = (rows: number, shardSize: number): JobSpec => ({
  kind: 'predict',
  backend: 'wasm',
  input: 'x.csv',
  rows,
  shardSize,
  shards: Math.ceil(rows / shardSize),
});

describe('job model', () => {
  test('parseQueueUrl(text) reads redis://host:port/name and refuses anything else, naming --queue', () => {
    expect(parseQueueUrl('redis://10.0.0.5:6380/screen')).toMatchObject({
      host: '10.0.0.5',
      port: 6380,
      name: 'screen',
    });
    expect(parseQueueUrl('redis://:pw@h/q')).toMatchObject({
      port: 6379,
      name: 'q',
      password: 'pw',
      display: 'redis://h/q',
    });
    expect(parseQueueUrl('redis://h').name).toBe('crys');
    expect(() => parseQueueUrl('http://h:1/x')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --queue 'http://h:1/x' is not a redis:// URL]`,
    );
    expect(() => parseQueueUrl('redis://h/a:b')).toThrowErrorMatchingInlineSnapshot(
      `[UsageError: --queue 'redis://h/a:b': the queue name 'a:b' may use letters, digits, '_', '.' and '-' only]`,
    );
  });

  test('crys worker and crys jobs show usage and an example; a worker without --queue is a usage error', () => {
    for (const cmd of [['worker'], ['jobs'], ['jobs', 'status']]) {
      const r = runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/--queue <url>|status/);
    }
    expect(runCli(['worker', '--help']).stdout).toContain('Examples:');
    const r = runCli(['worker']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('crys worker needs --queue redis://host:port/name');
  });

  test("mergeShards(spec, results) puts rows in input order, gives a failed shard's rows its error, and refuses a row twice or missing", () => {
    const s = spec(5, 2);
    const rows = mergeShards(s, [
      { shard: 2, rows: [{ i: 4, id: 'e' }], worker: 'w', seconds: 0 },
      { shard: 1, failed: 'boom', attempts: 3, ids: ['c', 'd'] },
      {
        shard: 0,
        rows: [
          { i: 0, id: 'a' },
          { i: 1, id: 'b', error: 'bad row' },
        ],
        worker: 'w',
        seconds: 0,
      },
    ]);
    expect(rows.map((r) => [r.id, r.error ?? null])).toEqual([
      ['a', null],
      ['b', 'bad row'],
      ['c', 'shard 2 failed after 3 attempt(s): boom'],
      ['d', 'shard 2 failed after 3 attempt(s): boom'],
      ['e', null],
    ]);
    const twice = { shard: 0, rows: [{ i: 0, id: 'a' }], worker: 'w', seconds: 0 };
    expect(() => mergeShards(spec(1, 1), [twice, twice])).toThrowErrorMatchingInlineSnapshot(
      `[CliFailure: job results hold input row 1 (a) twice]`,
    );
    expect(() => mergeShards(spec(2, 1), [twice])).toThrowErrorMatchingInlineSnapshot(
      `[CliFailure: job results lack input row 2 of 2]`,
    );
  });
});

const manifest = (out: string) => JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));

describe.skipIf(!hasRedis())('crys worker and --queue on a test redis-server', () => {
  let dir: string;
  let redis: TestRedis;
  let csv: string;
  let embedded: string;
  const workers: WorkerProc[] = [];
  const predictArgs = () => [
    'predict',
    '--data',
    csv,
    '--model',
    'perov_5',
    '--steps',
    '2',
    '--seed',
    '3',
    '--shard-size',
    '3',
  ];

  beforeAll(async () => {
    dir = tempDir('crys-jobs-test-');
    redis = await startRedis(dir, { appendonly: true });
    csv = screeningCsv(dir, 10);
    embedded = join(dir, 'embedded.csv');
    const r = runCli([...predictArgs(), '--out', embedded]);
    expect(r.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    await redis?.stop('SIGKILL');
  });

  test('embedded: every input row once, in order, broken rows with their error', () => {
    const text = readFileSync(embedded, 'utf8');
    const ids = [...readDatasetCsv(text, { onError: 'skip' })].map((r) => r.id);
    expect(ids).toHaveLength(10);
    const m = manifest(embedded);
    expect(m).toMatchObject({ rows: 13, ok: 10, errors: 3, mode: 'embedded', shardSize: 3, retries: 0 });
    expect(text).toContain('broken-cif,,');
    expect(text).toMatch(/short-row,,".*row 6 \(line \d+\): expected 2 fields as in the header, got 1"/);
    expect(text).toMatch(/polonium,,.*row 8: model perov_5 does not know element\(s\) Z = 84\n/);
  });

  test('two workers give the embedded output byte for byte; resubmitting adds nothing', async () => {
    workers.push(startWorker(redis.url('q1')), startWorker(redis.url('q1')));
    const out = join(dir, 'queued.csv');
    const r = runCli([...predictArgs(), '--queue', redis.url('q1'), '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(embedded, 'utf8'));
    expect(manifest(out)).toMatchObject({ rows: 13, ok: 10, errors: 3, mode: 'queue', retries: 0, failedShards: 0 });
    const again = join(dir, 'again.csv');
    expect(runCli([...predictArgs(), '--queue', redis.url('q1'), '--out', again]).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(embedded, 'utf8'));
    const status = JSON.parse(runCli(['jobs', 'status', '--queue', redis.url('q1'), '--json']).stdout);
    expect(status.runs).toHaveLength(1);
    expect(status.runs[0]).toMatchObject({ shards: 5, completed: 5, failed: 0, rows: 13 });
    expect(status.workers).toBe(2);
    for (const w of workers.splice(0)) w.proc.kill('SIGTERM');
  }, 120_000);

  test('Redis killed and restarted with appendonly: the queued run survives and collects the same output', async () => {
    const url = redis.url('q3');
    const out = join(dir, 'restarted.csv');
    expect(runCli([...predictArgs(), '--queue', url, '--out', out, '--detach']).code).toBe(0);
    await redis.stop('SIGKILL');
    await redis.restart();
    const w = startWorker(url);
    workers.push(w);
    await until(() => (w.log().match(/shard \d+\/5 of run/g) ?? []).length === 5, 90_000, 'five shards');
    expect(runCli(['jobs', 'collect', '--queue', url, '--out', out]).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(embedded, 'utf8'));
    w.proc.kill('SIGTERM');
  }, 120_000);

  test('crys relax DIR relaxes every file (name order), a broken file gets its error, shard size changes nothing', () => {
    const folder = join(dir, 'structures');
    mkdirSync(folder);
    let k = 0;
    for (const r of readDatasetCsv(readFileSync(join(REPO, 'data/perov_5/val.csv'), 'utf8'))) {
      writeFileSync(join(folder, `s${k}.cif`), writeCif(r.crystal));
      if (++k === 3) break;
    }
    writeFileSync(join(folder, 'bad.cif'), 'data_x\n_cell_length_a 3\n');
    writeFileSync(join(folder, '.hidden'), 'not a structure');
    const a = join(dir, 'relaxed-a.csv');
    const b = join(dir, 'relaxed-b.jsonl');
    const args = ['relax', folder, '--model', 'perov_5-denoise', '--steps', '2'];
    const r = runCli([...args, '--out', a]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^relaxed 3 of 4 row\(s\), 1 with an error with model perov_5-denoise/);
    expect(runCli([...args, '--shard-size', '1', '--out', b]).code).toBe(0);
    const lines = readFileSync(b, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.material_id)).toEqual(['bad.cif', 's0.cif', 's1.cif', 's2.cif']);
    expect(lines[0].error).toMatch(/bad\.cif/);
    const csvRows = [...readDatasetCsv(readFileSync(a, 'utf8'), { onError: 'skip' })];
    expect(csvRows.map((x) => x.id)).toEqual(['s0.cif', 's1.cif', 's2.cif']);
    const csvText = readFileSync(a, 'utf8');
    for (const l of lines.slice(1)) expect(csvText).toContain(`${l.material_id},"${l.cif}",\n`);
  }, 120_000);

  test('crys match --all over the queue gives the embedded verdicts', async () => {
    const url = redis.url('q5');
    const w = startWorker(url);
    workers.push(w);
    const args = ['match', csv, embedded, '--all', '--pair-by', 'id', '--field', '--shard-size', '4'];
    const local = join(dir, 'match.csv');
    const queued = join(dir, 'match-q.csv');
    expect(runCli([...args, '--out', local]).code).toBe(0);
    expect(runCli([...args, '--queue', url, '--out', queued]).code).toBe(0);
    const text = readFileSync(local, 'utf8');
    expect(readFileSync(queued, 'utf8')).toBe(text);
    expect(text.split('\n')[0]).toBe('material_id,match,rms_match,rms,max_dist,error');
    expect(text.trim().split('\n')).toHaveLength(14);
    w.proc.kill('SIGTERM');
  }, 120_000);
});
