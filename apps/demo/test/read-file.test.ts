import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMATS, writeExtxyz, writePymatgenJson } from '@crys/io';
import { createCrystal } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { FileReadError, formatExtensions, formatList, readCrystalFile } from '../src/read-file.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

function failure(name: string, text: string): FileReadError {
  try {
    readCrystalFile(name, text);
  } catch (e) {
    expect(e).toBeInstanceOf(FileReadError);
    return e as FileReadError;
  }
  throw new Error(`readCrystalFile('${name}') did not throw`);
}

describe('readCrystalFile', () => {
  test('readCrystalFile(name, text) reads a POSCAR through @crys/io, detected by name', () => {
    const { crystals, names, warnings } = readCrystalFile('tiny-cubic.vasp', fixture('tiny-cubic.vasp'));
    expect(Array.from(crystals[0].atomicNumbers)).toEqual([84]);
    expect(names).toEqual(['#1']);
    expect(warnings).toEqual([]);
  });

  test('readCrystalFile reads formats by content when the name does not say (an extended XYZ, a pymatgen JSON)', () => {
    const nacl = createCrystal({
      lattice: [5.64, 0, 0, 0, 5.64, 0, 0, 0, 5.64],
      fracCoords: [0, 0, 0, 0.5, 0.5, 0.5],
      atomicNumbers: [11, 17],
    });
    const frames = readCrystalFile('run.extxyz', writeExtxyz([nacl, nacl]));
    expect(frames.crystals).toHaveLength(2);
    expect(frames.names).toEqual(['#1', '#2']);
    const json = readCrystalFile('structure.json', writePymatgenJson(nacl));
    expect(Array.from(json.crystals[0].atomicNumbers)).toEqual([11, 17]);
  });

  test.skipIf(!FORMATS.some((f) => f.id === 'xsf'))(
    'readCrystalFile reads an XSF through the same registry as the CLI',
    () => {
      const xsf = 'CRYSTAL\nPRIMVEC\n 4.0 0 0\n 0 4.0 0\n 0 0 4.0\nPRIMCOORD\n2 1\nCs 0 0 0\nCl 2.0 2.0 2.0\n';
      const { crystals } = readCrystalFile('cscl.xsf', xsf);
      expect(Array.from(crystals[0].atomicNumbers)).toEqual([55, 17]);
    },
  );

  test('a syntax error is reported as the reader says it: file:line:column', () => {
    expect(failure('broken.cif', fixture('broken.cif')).message).toMatch(/^broken\.cif:4:\d+: cif: /);
  });

  test('an unknown format names the file and lists the formats @crys/io reads', () => {
    const e = failure('notes.txt', 'hello world\n');
    expect(e.message).toBe(
      `notes.txt: cannot tell the file format from its name or content. Readable formats: ${formatList()}.`,
    );
    expect(e.message).toContain('CIF (.cif, .mcif)');
    for (const f of FORMATS) for (const ext of f.extensions) expect(formatExtensions()).toContain(`.${ext}`);
  });

  test('an empty file says so', () => {
    expect(failure('POSCAR', ' \n\n').message).toBe('POSCAR: the file is empty');
  });

  test('overlapping atoms are a warning naming the file, both atoms and the distance', () => {
    const poscar = 'dup\n1.0\n4 0 0\n0 4 0\n0 0 4\nNa Cl\n2 1\nDirect\n0 0 0\n0 0 0.01\n0.5 0.5 0.5\n';
    const { warnings } = readCrystalFile('dup.vasp', poscar);
    expect(warnings).toEqual([
      'dup.vasp: atom 1 (Na) and atom 2 (Na) are 0.0400 Å apart (periodic images included), closer than 0.5 Å',
    ]);
  });
});
