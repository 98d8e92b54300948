import { describe, expect, test } from 'vitest';
import { detectFormat, read } from './formats.js';
import { readVaspVolumetric } from './vasp-volumetric.js';

const HEAD = 'NaCl\n1.0\n5.64 0 0\n0 5.64 0\n0 0 5.64\nNa Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n';
const GRID = '\n 2 2 2\n 0.1 0.2 0.3 0.4 0.5\n 0.6 0.7 0.8\naugmentation occupancies 1 2\n 0.1 0.2\n';

describe('readVaspVolumetric', () => {
  test('readVaspVolumetric reads the structure of a CHGCAR and says the grid was not read', () => {
    const r = readVaspVolumetric(HEAD + GRID, { source: 'CHGCAR' });
    expect(Array.from(r.crystals[0].atomicNumbers)).toEqual([11, 17]);
    expect(r.warnings).toEqual(['CHGCAR:11:1: volumetric data (grid 2×2×2) not read: crys reads the structure']);
  });

  test('a VASP 4 CHGCAR (no species line) takes its species from the species option', () => {
    const vasp4 = HEAD.replace('Na Cl\n', '');
    expect(
      Array.from(read(vasp4 + GRID, { fileName: 'CHGCAR', species: ['K', 'Br'] }).crystals[0].atomicNumbers),
    ).toEqual([19, 35]);
  });

  test('detectFormat finds CHGCAR, LOCPOT and ELFCAR by name and a volumetric file by content', () => {
    for (const name of ['CHGCAR', 'LOCPOT', 'ELFCAR', 'run/CHGCAR.gz', 'PARCHG.0001', 'AECCAR0'])
      expect(detectFormat(name).id).toBe('vasp-volumetric');
    expect(detectFormat(undefined, HEAD + GRID).id).toBe('vasp-volumetric');
    expect(detectFormat(undefined, HEAD).id).toBe('poscar');
  });

  test('readVaspVolumetric reports a broken header at its line', () => {
    expect(() =>
      readVaspVolumetric(HEAD.replace('0 5.64 0', '0 x 0') + GRID, { source: 'LOCPOT' }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[ParseError: LOCPOT:4:3: vasp-volumetric: expected a lattice vector component, got 'x']`,
    );
  });
});
