import { createCrystal } from '@crys/lattice';
import { describe, expect, it } from 'vitest';
import { domainIssues, modelDomain } from './domain.js';
import { defaultModelConfig, type ModelConfig } from './model.js';

const cubic = (a: number, frac: number[], z: number[]) =>
  createCrystal({ lattice: [a, 0, 0, 0, a, 0, 0, 0, a], fracCoords: frac, atomicNumbers: z });
// SrTiO3 (a = 3.905 Å, 11.91 Å³ per atom) and BaTiO3 in a cubic cell (a = 4.0 Å, 12.8 Å³ per atom)
const srtio3 = cubic(3.905, [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5], [38, 22, 8, 8, 8]);
const batio3 = cubic(4.0, [0, 0, 0, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5], [56, 22, 8, 8, 8]);

describe('modelDomain', () => {
  it('modelDomain(crystals, info) gives the elements, atom counts and volume per atom of the training crystals', () => {
    const d = modelDomain([srtio3, batio3], { task: 'structure', dataset: 'data/perov_5/val.csv' });
    expect(d.task).toBe('structure');
    expect(d.dataset).toBe('data/perov_5/val.csv');
    expect(d.split).toBe('train');
    expect(d.crystals).toBe(2);
    expect(d.elements).toEqual([8, 22, 38, 56]);
    expect(d.atoms).toEqual({ min: 5, max: 5 });
    expect(d.volumePerAtom.min).toBeCloseTo(3.905 ** 3 / 5, 12);
    expect(d.volumePerAtom.max).toBeCloseTo(64 / 5, 12);
  });

  it('modelDomain([]) throws, naming the argument', () => {
    expect(() => modelDomain([], { task: 'denoise' })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidArgumentError: modelDomain: crystals must hold at least one training crystal, got 0]`,
    );
  });
});

describe('domainIssues', () => {
  const config: ModelConfig = {
    ...defaultModelConfig('structure', [8, 22, 38, 56], 'perov_5'),
    domain: modelDomain([srtio3, batio3], { task: 'structure' }),
  };

  it('domainIssues(model, crystal) is empty for a crystal inside the domain', () => {
    expect(domainIssues({ config }, srtio3)).toEqual([]);
  });

  it('domainIssues(model, composition) names an atom count outside the training cells', () => {
    const atoms = [20, 20, 20, 20, 22, 22, 22, 22, ...Array(12).fill(8)];
    expect(domainIssues({ config }, { atomicNumbers: atoms })).toEqual([
      { kind: 'element', value: 20, message: "Ca is not among the 4 element(s) model 'perov_5' was trained on" },
      { kind: 'atoms', value: 20, message: "20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms" },
    ]);
  });

  it('domainIssues(model, crystal) names a volume per atom outside the training range', () => {
    const stretched = cubic(4.5, Array.from(srtio3.fracCoords), [38, 22, 8, 8, 8]);
    const issues = domainIssues({ config }, stretched);
    expect(issues.map((i) => i.kind)).toEqual(['volumePerAtom']);
    expect(issues[0].value).toBeCloseTo(4.5 ** 3 / 5, 12);
    expect(issues[0].message).toBe("volume per atom 18.23 Å³; model 'perov_5' was trained on 11.91–12.80 Å³ per atom");
  });

  it('domainIssues(model, crystal) checks only the species and the atom limit of a model file without a domain', () => {
    const { domain: _, ...old } = config;
    const big = cubic(
      8,
      Array(3 * 70)
        .fill(0)
        .map((_, i) => (i * 0.37) % 1),
      Array(70).fill(8),
    );
    expect(domainIssues({ config: old }, big).map((i) => i.message)).toEqual([
      "70 atoms per cell; model 'perov_5' was trained on cells of 1–64 atoms",
    ]);
    expect(domainIssues({ config: old }, { atomicNumbers: [1, 1, 8] }).map((i) => i.kind)).toEqual(['element']);
  });
});
