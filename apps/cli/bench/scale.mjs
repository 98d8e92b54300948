// Throughput of sharded jobs: rows/s of crys predict --data and crys eval embedded (--parallel 1 and 2: shards on
// 1 or 2 threads of this process) and on 1 and 2 local `crys worker`s (BullMQ on a redis-server this script starts
// on a free loopback port), and the queue's own overhead per shard. Not a test: it prints figures. Needs the built
// CLI (pnpm build) and redis-server.
//   node bench/scale.mjs [rows=48] [shardSize=8]      (node bench/scale.mjs overhead: the queue overhead only)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(CLI, 'dist', 'bin.js');
const REPO = join(CLI, '..', '..');
const overheadOnly = process.argv[2] === 'overhead';
const rows = overheadOnly ? 0 : Number(process.argv[2] ?? 48);
const shardSize = Number(process.argv[3] ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'crys-scale-'));

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''], {
  stdio: 'ignore',
});
await new Promise((r) => setTimeout(r, 500));

const cli = (args) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`crys ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
};
const startWorkers = async (n, url) => {
  const ws = [];
  for (let k = 0; k < n; k++) {
    const p = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--lock', '120'], { cwd: REPO, stdio: 'ignore' });
    ws.push(p);
  }
  await new Promise((r) => setTimeout(r, 3000)); // let them load before the clock starts
  return ws;
};
const stop = async (ws) => {
  for (const w of ws) w.kill('SIGTERM');
  await Promise.all(ws.map((w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r()))));
};

const data = 'data/perov_5/val.csv';
const results = [];
async function measure(kind, workers, parallel = 1) {
  const url = `redis://127.0.0.1:${port}/bench-${kind}-${workers}`;
  const queue = workers > 0 ? ['--queue', url] : ['--parallel', String(parallel)];
  const ws = workers > 0 ? await startWorkers(workers, url) : [];
  let seconds;
  let shardSeconds = 0;
  let shards = 0;
  if (kind === 'predict') {
    const out = join(dir, `p-${workers}-${parallel}.csv`);
    cli([
      'predict',
      '--data',
      data,
      '--model',
      'perov_5',
      '--limit',
      String(rows),
      '--shard-size',
      String(shardSize),
      '--out',
      out,
      ...queue,
    ]);
    const m = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));
    seconds = m.seconds;
    shards = m.shards.length;
    shardSeconds = m.shards.reduce((s, x) => s + x.seconds, 0);
  } else {
    const json = join(dir, `e-${workers}-${parallel}.json`);
    cli([
      'eval',
      '--data',
      data,
      '--model',
      'perov_5',
      '--split',
      'all',
      '--limit',
      String(rows),
      '--shard-size',
      String(shardSize),
      '--json',
      json,
      ...queue,
    ]);
    seconds = JSON.parse(readFileSync(json, 'utf8')).seconds;
  }
  await stop(ws);
  const row = {
    kind,
    mode: workers ? `${workers} worker(s)` : `embedded, --parallel ${parallel}`,
    rows,
    seconds: +seconds.toFixed(2),
    rowsPerSecond: +(rows / seconds).toFixed(2),
  };
  if (workers === 1 && kind === 'predict')
    row.overheadPerShardSeconds = +((seconds - shardSeconds) / shards).toFixed(3);
  results.push(row);
  console.log(JSON.stringify(row));
}

// The queue's own cost: 40 one-row shards of a trivial match (one atom against itself) on one worker.
async function overhead() {
  const cif =
    'data_Po\n_cell_length_a 3.35\n_cell_length_b 3.35\n_cell_length_c 3.35\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n';
  const csv = join(dir, 'po.csv');
  let text = 'material_id,cif\n';
  for (let k = 0; k < 40; k++) text += `po-${k},"${cif}"\n`;
  writeFileSync(csv, text);
  const url = `redis://127.0.0.1:${port}/bench-overhead`;
  const ws = await startWorkers(1, url);
  // a first job starts the worker's shard thread (its imports): not part of the per-shard cost
  const one = join(dir, 'po1.csv');
  writeFileSync(one, `material_id,cif\nwarm,"${cif}"\n`);
  cli(['match', one, one, '--all', '--out', join(dir, 'warm.csv'), '--queue', url]);
  const out = join(dir, 'po-out.csv');
  cli(['match', csv, csv, '--all', '--shard-size', '1', '--out', out, '--queue', url]);
  const m = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'));
  await stop(ws);
  const local = join(dir, 'po-local.csv');
  cli(['match', csv, csv, '--all', '--shard-size', '1', '--parallel', '1', '--out', local]);
  const e = JSON.parse(readFileSync(`${local}.manifest.json`, 'utf8'));
  const row = {
    kind: 'queue overhead (40 one-row match shards, 1 worker)',
    queueSeconds: +m.seconds.toFixed(2),
    embeddedSeconds: +e.seconds.toFixed(3),
    perShardMs: +(((m.seconds - e.seconds) / 40) * 1000).toFixed(1),
  };
  results.push(row);
  console.log(JSON.stringify(row));
}

try {
  await overhead();
  if (!overheadOnly) {
    for (const kind of ['predict', 'eval']) {
      for (const p of [1, 2]) await measure(kind, 0, p);
      for (const w of [1, 2]) await measure(kind, w);
    }
  }
} finally {
  redis.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
