import { test } from 'vitest';
import { compareWithOracle, loadOracle } from '../test/oracle.js';
test('tmp', () => {
  const pairs = loadOracle(process.env.ORACLE ?? '/tmp/oracle_small.json.gz');
  const t = performance.now();
  const ag = compareWithOracle(pairs);
  console.log(
    (performance.now() - t).toFixed(0),
    'ms',
    JSON.stringify({ ...ag, disagreements: ag.disagreements.length }),
  );
  for (const d of ag.disagreements.slice(0, 20)) console.log(JSON.stringify(d));
}, 600000);
