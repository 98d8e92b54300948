#!/usr/bin/env node
// Stochastic weight averaging of one run's snapshots: the mean (float64, stored as float32) of every weight of the
// given model.json files, written with the configuration of --config (e.g. the shipped file, whose sampler settings
// then apply). The snapshots must come from one run: averaging the weights of models trained apart is meaningless.
//
//   node tools/average-weights.mjs --config packages/model/models/perov_5/model.json --out /tmp/swa.json \
//     packages/model/training/perov_5-cutoff/snapshots/model-12500.json … packages/model/training/perov_5-cutoff/model.json
//   crys eval --model /tmp/swa.json --data data/perov_5/val.csv --split valid
//
// docs/models.md ("Averaged weights, an ensemble and a denoiser") has what it gave.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args, positionals: files } = parseArgs({
  options: { config: { type: 'string' }, out: { type: 'string' } },
  allowPositionals: true,
});
if (!args.config || !args.out || files.length < 2) {
  console.error(
    'usage: node tools/average-weights.mjs --config MODEL.json --out OUT.json SNAPSHOT.json SNAPSHOT.json …',
  );
  process.exit(2);
}
const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const floats = (w) => {
  const bytes = Buffer.from(w.data, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};
const doc = read(args.config);
const sums = new Map(doc.weights.map((w) => [w.name, new Float64Array(floats(w).length)]));
for (const file of files) {
  const weights = new Map(read(file).weights.map((w) => [w.name, w]));
  for (const [name, sum] of sums) {
    const w = weights.get(name);
    const v = w ? floats(w) : undefined;
    if (!v || v.length !== sum.length) {
      console.error(`${file}: weight ${name} is missing or has another shape than in ${args.config}`);
      process.exit(1);
    }
    for (let i = 0; i < v.length; i++) sum[i] += v[i];
  }
}
for (const w of doc.weights) {
  const mean = Float32Array.from(sums.get(w.name), (s) => s / files.length);
  w.data = Buffer.from(mean.buffer).toString('base64');
}
doc.config.meta = { ...doc.config.meta, run: `weights averaged over ${files.join(', ')}` };
writeFileSync(args.out, JSON.stringify(doc));
console.log(`${args.out}: the mean of ${files.length} snapshots`);
