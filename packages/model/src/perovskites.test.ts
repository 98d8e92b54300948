import { FIELD_MATCHER_OPTIONS, rmsDistance } from '@crys/eval';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/helpers.js';
import { PEROVSKITES, perovskite } from '../test/perovskites.js';
import type { ActionModel } from './model.js';
import { loadShippedModel } from './node.js';
import { lowestProperty } from './property.js';
import { predictStructure } from './sampler.js';

beforeAll(async () => {
  await useBackend();
});

// The shipped perov_5 model on seven well-known ABO3 perovskites, one sample each (seed 0, the model's own sampler
// settings), scored against the ideal cubic cells; the table is in docs/results.md. CaTiO3 and KTaO3 are not matched
// at seed 0 (CaTiO3 is at seeds 3 and 4, KTaO3 at seed 4), so they are listed apart: this test fails if a model
// change loses one of the others.
const MATCHED_AT_SEED_0 = ['SrTiO3', 'BaTiO3', 'KNbO3', 'LaAlO3', 'PbTiO3'];

describe('perov_5 predicts well-known perovskites from their composition', () => {
  const model = () => loadShippedModel('perov_5');
  for (const entry of PEROVSKITES) {
    const expected = MATCHED_AT_SEED_0.includes(entry.name);
    it(`${entry.name}: ${expected ? 'matched within RMS 0.1' : 'not matched at seed 0 (docs/results.md)'}`, () => {
      const { crystal } = predictStructure(model(), entry.atomicNumbers, { seed: 0 });
      const r = rmsDistance(crystal, perovskite(entry), FIELD_MATCHER_OPTIONS);
      if (expected) {
        expect(r).not.toBeNull();
        expect(r?.rms).toBeLessThan(0.1);
      } else expect(r === null || r.rms >= 0.1).toBe(true);
    });
  }
});

// Eight samples of each (seeds 0–7, as `crys predict --composition … -n 8 --rank-by perov_5-energy`), the one the
// shipped property model perov_5-energy predicts lowest in heat of formation kept (`lowestProperty`): the lower-energy
// ordering of the cations (Ca on the A site, not Ti) and a compact geometry win. A selection among samples, reported
// apart from the one-sample model in docs/results.md.
describe('perov_5 ranked by perov_5-energy predicts all seven', () => {
  const SAMPLES = 8;
  let loaded: { model: ActionModel; energy: ActionModel } | undefined;
  const models = () => {
    loaded ??= { model: loadShippedModel('perov_5'), energy: loadShippedModel('perov_5-energy') };
    return loaded;
  };
  for (const entry of PEROVSKITES) {
    it(`${entry.name}: the lowest-energy of ${SAMPLES} samples is matched within RMS 0.1`, () => {
      const { model, energy } = models();
      const samples = Array.from(
        { length: SAMPLES },
        (_, seed) => predictStructure(model, entry.atomicNumbers, { seed }).crystal,
      );
      const { index } = lowestProperty(energy, samples);
      const r = rmsDistance(samples[index], perovskite(entry), FIELD_MATCHER_OPTIONS);
      expect(r).not.toBeNull();
      expect(r?.rms).toBeLessThan(0.1);
    });
  }
});
