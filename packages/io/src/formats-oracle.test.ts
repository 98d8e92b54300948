import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  compareFormatFile,
  FORMATS_DIR,
  type FormatVerdict,
  formatFiles,
  formatsOracle,
} from '../test/formats-oracle.js';
import { cellOf, matchCell, matchSites } from '../test/helpers.js';
import { FORMATS, read, write } from './formats.js';
import { decodeText } from './node.js';

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

  test('every crystal of the corpus survives a round trip through every writable format', () => {
    const oracle = formatsOracle();
    const writable = FORMATS.filter((f) => f.write).map((f) => f.id);
    const bad: string[] = [];
    let trips = 0;
    for (const file of formatFiles()) {
      if (file.startsWith('gz/')) continue;
      const lattice = oracle[file].lattice;
      const text = decodeText(readFileSync(join(FORMATS_DIR, file)), file);
      for (const c of read(text, { fileName: file, ...(lattice ? { lattice } : {}) }).crystals) {
        for (const id of writable) {
          const back = read(write([c], id), { format: id }).crystals;
          const why =
            back.length !== 1
              ? `${back.length} crystals`
              : (matchCell(cellOf(back[0]), cellOf(c), 1e-7) ??
                matchSites(back[0].fracCoords, back[0].atomicNumbers, c.fracCoords, c.atomicNumbers, 1e-6));
          if (why) bad.push(`${file} → ${id}: ${why}`);
          trips++;
        }
      }
    }
    expect(bad).toEqual([]);
    expect(trips).toBe(8 * 426); // 398 files, 14 of them 3-step AXSF
  });
});
