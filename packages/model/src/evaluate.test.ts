import { crystalValidity, rmsDistance, FIELD_MATCHER_OPTIONS, structureValidity } from '@crys/eval';
import { changeOfCell, type Crystal, createCrystal, InvalidArgumentError } from '@crys/lattice';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetRows, POLAR_SRTIO3, SRTIO3, tinyModel, useBackend } from '../test/helpers.js';
import {
  evaluatePredictions,
  frameworkReport,
  latticeErrors,
  matchReport,
  positionError,
  predictRows,
  type RowPrediction,
  spaceGroupReport,
  structurallyValid,
} from './evaluate.js';

const cubic = (a: number) => Float64Array.of(a, 0, 0, 0, a, 0, 0, 0, a);
const srtio3: Crystal = SRTIO3;
const polar = POLAR_SRTIO3;

/** Crystals moyo cannot analyse; `Crystal` objects a generative model may well return. */
const degenerate: Crystal[] = [
  // every atom on one point
  createCrystal({ lattice: cubic(3.9), fracCoords: new Float64Array(15).fill(0.2), atomicNumbers: [38, 22, 8, 8, 8] }),
  // a singular cell
  {
    lattice: Float64Array.of(3.9, 0, 0, 0, 3.9, 0, 0, 0, 0),
    fracCoords: Float64Array.from(srtio3.fracCoords),
    atomicNumbers: Uint8Array.from(srtio3.atomicNumbers),
  },
  // a NaN coordinate
  {
    lattice: cubic(3.9),
    fracCoords: Float64Array.from(srtio3.fracCoords, (x, i) => (i === 4 ? Number.NaN : x)),
    atomicNumbers: Uint8Array.from(srtio3.atomicNumbers),
  },
];

describe('evaluation helpers', () => {
  const rows = datasetRows('perov_5', 3);
  const crystals = rows.map((r) => r.crystal);

  it('matchReport(truth, truth) matches every pair with zero RMSE, all of them tight', () => {
    const r = matchReport(crystals, crystals);
    expect(r.matchRateNoValidity).toBe(1);
    expect(r.rmseNoValidity).toBeLessThan(1e-6);
    expect(r.total).toBe(3);
    expect(r.tightMatchRateNoValidity).toBe(1);
    expect(r.tightMatched).toBe(r.matched);
    expect(r.tightMatchRate).toBe(r.matchRate);
    expect(r.tightRms).toBe(0.1);
  });

  it('matchReport counts a wrong arrangement the lenient matcher accepts as matched but not tight', () => {
    const rms = rmsDistance(polar, srtio3, FIELD_MATCHER_OPTIONS)?.rms as number;
    expect(rms).toBeGreaterThan(0.1);
    expect(rms).toBeLessThan(0.5);
    const r = matchReport([polar, srtio3], [srtio3, srtio3]);
    expect(r).toMatchObject({ matched: 2, matchRate: 1, tightMatched: 1, tightMatchRate: 0.5 });
    expect(r.tightMatchRateNoValidity).toBe(0.5);
    // a looser threshold makes it tight
    expect(matchReport([polar], [srtio3], { tightRms: 0.2 }).tightMatchRate).toBe(1);
  });

  it('matchReport counts a tight match of an invalid prediction only without the validity gate', () => {
    // an O 0.39 Å from Ti (too close) but within the matcher's tolerance
    const squeezed = createCrystal({
      lattice: srtio3.lattice,
      fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.5, 0, 0.5, 0, 0.5, 0.5],
      atomicNumbers: srtio3.atomicNumbers,
    });
    expect(crystalValidity(squeezed).structural).toBe(false);
    const r = matchReport([squeezed], [srtio3], { tightRms: 0.5 });
    expect(r.matchRateNoValidity).toBe(1);
    expect(r.tightMatchRateNoValidity).toBe(1);
    expect(r.matchRate).toBe(0);
    expect(r.tightMatchRate).toBe(0);
  });

  it('frameworkReport: the A and B cations exchanged are no match, but the same geometry species-blind', () => {
    // Sr on the octahedral site and Ti on the cuboctahedral one: Perov-5 stores both orderings as materials
    const swapped = createCrystal({
      lattice: srtio3.lattice,
      fracCoords: srtio3.fracCoords,
      atomicNumbers: [22, 38, 8, 8, 8],
    });
    expect(rmsDistance(swapped, srtio3, FIELD_MATCHER_OPTIONS)).toBeNull();
    expect(matchReport([swapped], [srtio3]).tightMatchRate).toBe(0);
    expect(frameworkReport([swapped, polar, srtio3], [srtio3, srtio3, srtio3])).toEqual({
      matchRate: 1,
      tightMatchRate: 2 / 3,
      tightMatched: 2,
      total: 3,
      tightRms: 0.1,
    });
    // the validity gate of matchReport applies here too
    const squeezed = createCrystal({
      lattice: srtio3.lattice,
      fracCoords: [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4, 0.5, 0, 0.5, 0, 0.5, 0.5],
      atomicNumbers: srtio3.atomicNumbers,
    });
    expect(frameworkReport([squeezed], [srtio3], { tightRms: 0.5 }).matchRate).toBe(0);
    expect(() => frameworkReport([srtio3], [srtio3], { tightRms: -1 })).toThrow(InvalidArgumentError);
  });

  it('matchReport rejects a non-positive tightRms', () => {
    expect(() => matchReport(crystals, crystals, { tightRms: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: matchReport: options.tightRms must be positive and finite, got 0]`,
    );
  });

  it('spaceGroupReport(truth, truth) finds every space group; the wrong arrangement has another one', async () => {
    expect(await spaceGroupReport(crystals, crystals)).toEqual({
      rate: 1,
      same: 3,
      total: 3,
      failed: 0,
      truthFailed: 0,
      symprec: 0.1,
    });
    const r = await spaceGroupReport([srtio3, polar], [srtio3, srtio3]);
    expect(r).toMatchObject({ rate: 0.5, same: 1, total: 2, failed: 0 });
  });

  it('spaceGroupReport counts a degenerate prediction as a different space group and carries on', async () => {
    const r = await spaceGroupReport([...degenerate, srtio3], [srtio3, srtio3, srtio3, srtio3]);
    expect(r).toEqual({ rate: 0.25, same: 1, total: 4, failed: 3, truthFailed: 0, symprec: 0.1 });
    // degenerate on both sides is not "the same space group"
    const both = await spaceGroupReport([degenerate[0]], [degenerate[0]]);
    expect(both).toMatchObject({ rate: 0, failed: 1, truthFailed: 1 });
  });

  it('spaceGroupReport rejects arrays of different lengths and a bad symprec', async () => {
    await expect(spaceGroupReport([srtio3], [])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: spaceGroupReport: predicted must be an array as long as truth (0), got 1]`,
    );
    await expect(spaceGroupReport([srtio3], [srtio3], { symprec: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("structurallyValid (deprecated) is @crys/eval's structureValidity, also on the cases the old copy got wrong", () => {
    const all = [...datasetRows('perov_5', 200), ...datasetRows('carbon_24', 200)].map((r) => r.crystal);
    for (const c of all) expect(structurallyValid(c)).toBe(structureValidity(c).valid);
    const c = crystals[0];
    const clash = createCrystal({ lattice: c.lattice, fracCoords: [0, 0, 0, 0.05, 0, 0], atomicNumbers: [8, 8] });
    expect(structurallyValid(clash)).toBe(false);
    expect(structurallyValid(clash, 0.1)).toBe(true);
    // one atom in a 0.4 Å-thin cell: CDVAE ignores an atom's own images (the diagonal of the distance matrix)
    const thin = createCrystal({ lattice: [0.4, 0, 0, 0, 3, 0, 0, 0, 3], fracCoords: [0, 0, 0], atomicNumbers: [6] });
    expect(structurallyValid(thin)).toBe(true);
    // a NaN coordinate is invalid ('nan_value'), not valid
    expect(structurallyValid(degenerate[2])).toBe(false);
  });

  it('positionError and latticeErrors are zero for identical crystals and grow with a displacement', () => {
    const c = crystals[1];
    expect(positionError(c, c)).toBeCloseTo(0, 12);
    const moved = createCrystal({
      lattice: c.lattice,
      fracCoords: c.fracCoords.map((x, i) => (i === 0 ? x + 0.1 : x)),
      atomicNumbers: c.atomicNumbers,
    });
    expect(positionError(moved, c)).toBeGreaterThan(0.1);
    expect(latticeErrors([c], [c])).toEqual({ lengthMae: 0, angleMae: 0 });
  });
});

describe('evaluatePredictions', () => {
  const rows = datasetRows('perov_5', 4);
  const species = [...new Set(rows.flatMap((r) => [...r.crystal.atomicNumbers]))].sort((a, b) => a - b);
  const tiny = (task: 'structure' | 'denoise' | 'lattice') => tinyModel(task, species);

  beforeAll(async () => {
    await useBackend();
  });

  it('structure: a perfect prediction scores 1 everywhere; the control scores the starts with the same metrics', async () => {
    const model = tiny('structure');
    const preds: RowPrediction[] = rows.map((r, i) => ({
      id: r.id,
      start: i < degenerate.length ? degenerate[i] : polar,
      crystal: r.crystal,
    }));
    const report = await evaluatePredictions(model, rows, preds);
    expect(report.task).toBe('structure');
    expect(report.match.after).toMatchObject({ matchRate: 1, tightMatchRate: 1, tightMatchRateNoValidity: 1 });
    expect(report.spaceGroup.after).toMatchObject({ rate: 1, same: 4, failed: 0 });
    expect(report.match.before).toBeUndefined();
    expect(report.spaceGroup.before).toBeUndefined();
    expect(report.validity).toBe(1);
    // the degenerate starts do not crash the control, they count as misses
    expect(report.control?.spaceGroup).toMatchObject({ rate: 0, failed: 3, total: 4 });
    expect(report.control?.match).toEqual(
      matchReport(
        preds.map((p) => p.start),
        rows.map((r) => r.crystal),
      ),
    );
    // the keys of the recorded eval.json files come first, in their order
    expect(Object.keys(report)).toEqual(['task', 'match', 'validity', 'spaceGroup', 'control', 'framework']);
    expect(report.framework).toMatchObject({ matchRate: 1, tightMatchRate: 1 });
  });

  it('structure: predictRows → evaluatePredictions, the control is the predictions’ starts', async () => {
    const model = tiny('structure');
    const preds = predictRows(model, rows.slice(0, 2), { seed: 3, steps: 2 });
    const truth = rows.slice(0, 2).map((r) => r.crystal);
    const report = await evaluatePredictions(model, rows.slice(0, 2), preds);
    const starts = preds.map((p) => p.start);
    expect(report.control?.match).toEqual(matchReport(starts, truth));
    expect(report.control?.spaceGroup).toEqual(await spaceGroupReport(starts, truth));
    expect(report.spaceGroup.after).toEqual(
      await spaceGroupReport(
        preds.map((p) => p.crystal),
        truth,
      ),
    );
  });

  it('denoise and lattice: `before` gets the tight match and space-group rates, and there is no control', async () => {
    for (const task of ['denoise', 'lattice'] as const) {
      const model = tiny(task);
      const preds: RowPrediction[] = rows.map((r) => ({ id: r.id, start: polar, crystal: r.crystal }));
      const report = await evaluatePredictions(model, rows, preds, {
        trainMean: { a: 4, b: 4, c: 4, alpha: 90, beta: 90, gamma: 90 },
      });
      expect(report.match.before?.tightRms).toBe(0.1);
      expect(report.spaceGroup.before).toMatchObject({ total: 4, failed: 0 });
      expect(report.spaceGroup.after.rate).toBe(1);
      expect(report.control).toBeUndefined();
      expect(report.meanBaseline === undefined).toBe(task !== 'lattice');
      expect(report.positionError === undefined).toBe(task !== 'denoise');
    }
  });

  it('evaluatePredictions rejects predictions that do not pair with the rows', async () => {
    await expect(evaluatePredictions(tiny('structure'), rows, [])).rejects.toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: evaluatePredictions: predictions must be an array as long as rows (4), got 0]`,
    );
  });
});

describe('latticeErrors in Niggli cells', () => {
  it('the same lattice in another cell is an error in the given cells and none in the Niggli cells', () => {
    const truth = datasetRows('carbon_24', 4).map((r) => r.crystal);
    const recelled = truth.map((c) => changeOfCell(c, [1, 1, 0, 0, 1, 0, 0, 1, 1]));
    const given = latticeErrors(recelled, truth);
    const niggli = latticeErrors(recelled, truth, { niggli: true });
    expect(given.lengthMae).toBeGreaterThan(0.1);
    expect(niggli.lengthMae).toBeLessThan(1e-9);
    expect(niggli.angleMae).toBeLessThan(1e-7);
  });
});
