import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { type ModelInfo, modelMismatch, noModelMessage, outsideDomain, pickModel } from '../src/models.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/model/models');
// The shipped models as the page's build reads them (vite.config.ts `modelInfo`).
const models: ModelInfo[] = readdirSync(dir)
  .sort()
  .map((name) => ({ name, config: JSON.parse(readFileSync(join(dir, name, 'model.json'), 'utf8')).config }));
const byName = (name: string) => models.find((m) => m.name === name)!;
const SrTiO3 = [38, 22, 8, 8, 8];

describe('the model menu follows the input', () => {
  test('modelMismatch(carbon_24, SrTiO3) names the elements it was not trained on; perov_5 fits', () => {
    expect(modelMismatch(byName('carbon_24'), SrTiO3)).toBe('trained on C only (not Sr, Ti, O)');
    expect(modelMismatch(byName('carbon_24-denoise'), SrTiO3)).toBe('trained on C only (not Sr, Ti, O)');
    expect(modelMismatch(byName('perov_5'), SrTiO3)).toBeNull();
    expect(modelMismatch(byName('perov_5'), [84])).toBe('trained on 56 elements of perov_5 (not Po)');
  });

  test('modelMismatch refuses more atoms than the model takes and an empty input', () => {
    expect(modelMismatch(byName('carbon_24'), new Array(65).fill(6))).toBe('at most 64 atoms per cell (not 65)');
    expect(modelMismatch(byName('carbon_24'), [])).toBe('no atoms given');
  });

  test('pickModel keeps a fitting selection, else moves to a fitting model of the same task (the SrTiO3 "Run" failure)', () => {
    const crystalInput = () => SrTiO3;
    expect(pickModel(models, 'carbon_24', crystalInput)?.name).toBe('perov_5');
    expect(pickModel(models, 'carbon_24-denoise', crystalInput)?.name).toBe('perov_5-denoise');
    expect(pickModel(models, 'perov_5-lattice', crystalInput)?.name).toBe('perov_5-lattice');
    expect(pickModel(models, null, () => [6, 6, 6, 6, 6, 6])?.name).toBe('carbon_24');
    // No composition typed: a structure model has no input, the relaxing models still fit the crystal.
    expect(pickModel(models, 'perov_5', (task) => (task === 'structure' ? null : SrTiO3))?.name).toBe(
      'perov_5-denoise',
    );
  });

  test('pickModel gives null and noModelMessage says why when no model knows the elements', () => {
    expect(pickModel(models, 'perov_5', () => [84])).toBeNull();
    expect(noModelMessage(models, 'Po', [84])).toBe(
      'No shipped model can run on Po: carbon_24 models: trained on C only (not Po); perov_5 models: trained on 56 elements of perov_5 (not Po). Load a crystal (or type a composition) made of elements one of the training sets covers.',
    );
  });

  test('outsideDomain(perov_5, Ca4Ti4O12) says the model was trained on 5-atom cells (it runs, but extrapolates)', () => {
    const ca4ti4o12 = [...new Array(4).fill(20), ...new Array(4).fill(22), ...new Array(12).fill(8)];
    expect(outsideDomain(byName('perov_5'), { atomicNumbers: ca4ti4o12 })).toEqual([
      "20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms",
    ]);
    expect(outsideDomain(byName('perov_5'), { atomicNumbers: SrTiO3 })).toEqual([]);
    // Elements the network cannot take are modelMismatch's refusal, not a domain warning.
    expect(outsideDomain(byName('carbon_24'), { atomicNumbers: SrTiO3 })).toEqual([]);
  });
});
