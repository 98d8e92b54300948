import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readDatasetCsv } from '@crys/io';
import { describe, expect, it } from 'vitest';
import { spaceGroup } from './index.js';

const ORACLE = new URL('../test/fixtures/spacegroup_oracle.json.gz', import.meta.url).pathname;
const root = new URL('../../../data/', import.meta.url).pathname;

// moyo and spglib implement symprec differently: on the noisy carbon_24 relaxations moyo at 0.1 Å often finds a
// subgroup of spglib's group (spglib 2.0.2 via pymatgen SpacegroupAnalyzer, angle tolerance 5°); at symprec 0.2
// moyo finds spglib's group for those. Measured agreement: perov_5 3765/3787, carbon_24 1857/2032.
const MIN_AGREEMENT = { perov_5: 0.99, carbon_24: 0.9 } as const;

describe('spaceGroup against spglib on the val sets (slow)', () => {
  for (const set of ['perov_5', 'carbon_24'] as const) {
    it(`spaceGroup(c, { symprec: 0.1 }) agrees with spglib on the ${set} val crystals`, async () => {
      const oracle = JSON.parse(gunzipSync(readFileSync(ORACLE)).toString('utf8'));
      const expected: number[] = oracle[set];
      let i = 0;
      let same = 0;
      const diffs: string[] = [];
      for (const row of readDatasetCsv(readFileSync(`${root}${set}/val.csv`, 'utf8'))) {
        const sg = await spaceGroup(row.crystal, { symprec: oracle.symprec });
        if (sg.number === expected[i]) same++;
        else if (diffs.length < 10) diffs.push(`${row.id}: moyo ${sg.number}, spglib ${expected[i]}`);
        i++;
      }
      console.log(`${set}: spaceGroup = spglib on ${same}/${i}`, diffs);
      expect(i).toBe(expected.length);
      expect(same / i).toBeGreaterThanOrEqual(MIN_AGREEMENT[set]);
    });
  }
});
