import { describe, expect, test } from 'vitest';
import { compareFormatFile, type FormatVerdict, formatFiles, formatsOracle } from '../test/formats-oracle.js';

describe('format corpus (XSF, SHELX .res, pw.x, plain XYZ, CHGCAR/LOCPOT, gzip) against pymatgen and ASE', () => {
  test('every file of the corpus reads as pymatgen and ASE read it (cell to 1e-6, sites to 1e-6, species)', () => {
    const oracle = formatsOracle();
    const files = formatFiles();
    expect(files.length).toBe(Object.keys(oracle).length);
    const verdicts = new Map<string, FormatVerdict>(files.map((f) => [f, compareFormatFile(f, oracle[f])]));
    const counts: Record<
      string,
      { files: number; pymatgen: number; pymatgenAgree: number; ase: number; aseAgree: number }
    > = {};
    const bad: string[] = [];
    for (const [file, v] of verdicts) {
      counts[v.format] ??= { files: 0, pymatgen: 0, pymatgenAgree: 0, ase: 0, aseAgree: 0 };
      const c = counts[v.format];
      c.files++;
      if (v.pymatgen !== undefined) {
        c.pymatgen++;
        if (v.pymatgen === null) c.pymatgenAgree++;
        else bad.push(`${file}: pymatgen: ${v.pymatgen}`);
      }
      if (v.ase !== undefined) {
        c.ase++;
        if (v.ase === null) c.aseAgree++;
        else bad.push(`${file}: ASE: ${v.ase}`);
      }
      if (v.pymatgen === undefined && v.ase === undefined) bad.push(`${file}: no reference read it`);
    }
    console.log(counts);
    expect(bad).toEqual([]);
    // pymatgen reads no plain XYZ (a Molecule) and no pw.x input with ibrav != 0; ASE reads every file.
    const total = (k: 'pymatgenAgree' | 'aseAgree') => Object.values(counts).reduce((s, c) => s + c[k], 0);
    expect({ files: files.length, pymatgen: total('pymatgenAgree'), ase: total('aseAgree') }).toEqual({
      files: 499,
      pymatgen: 369,
      ase: 499,
    });
  });
});
