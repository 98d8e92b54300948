import { spawn, spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FIXTURES, ROOT } from '../test/helpers.js';
import { analyzeSymmetry, loadMoyo } from './moyo.js';
import { readCif } from './cif.js';
import { writeCif } from './cif-writer.js';
import { type DatasetProgress, datasetCsvLines } from './dataset-csv.js';
import { STALE_TEMP_MS } from './atomic-write.js';
import { readDatasetCsvFile, readFile, writeFile, writeFileAtomic, writeFileAtomicSync } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'crys-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('@crys/io/node', () => {
  test('readFile(path) detects the format from the name and content', async () => {
    const r = await readFile(join(FIXTURES, 'real', 'generated', 'cif2hkl__LaMnO3.POSCAR'));
    expect(r.crystals[0].atomicNumbers.length).toBe(20);
  });

  test('writeFileAtomic leaves no temporary file and replaces the old content; writeFile writes a format', async () => {
    const p = join(dir, 'out.cif');
    writeFileSync(p, 'old');
    const c = readCif(readFileSync(join(FIXTURES, 'real', 'cif', 'cif2hkl__LaMnO3.cif'), 'utf8')).crystals[0];
    await writeFile(p, c, 'cif');
    expect(readdirSync(dir)).toEqual(['out.cif']);
    expect((await readFile(p)).crystals[0].atomicNumbers.length).toBe(20);
    await writeFileAtomic(join(dir, 'rows.csv'), datasetCsvLines([{ id: 'a', crystal: c, properties: { e: 1 } }]));
    expect(readFileSync(join(dir, 'rows.csv'), 'utf8').startsWith('material_id,cif,e\na,"')).toBe(true);
  });

  test('writeFileAtomicSync replaces the old content, leaves no temporary file, and cleans up when it fails', () => {
    const p = join(dir, 'sync.txt');
    writeFileSync(p, 'old');
    writeFileAtomicSync(p, 'new');
    writeFileAtomicSync(join(dir, 'bytes.bin'), Uint8Array.of(1, 2, 3));
    expect(readFileSync(p, 'utf8')).toBe('new');
    expect(Array.from(readFileSync(join(dir, 'bytes.bin')))).toEqual([1, 2, 3]);
    // renaming over a folder fails: the error surfaces and no temporary file is left behind
    expect(() => writeFileAtomicSync(dir, 'x')).toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(() => writeFileAtomicSync(join(dir, 'missing', 'a.txt'), 'x')).toThrow(/ENOENT/);
  });

  test('writeFileAtomicSync and writeFileAtomic remove the temporary files a killed writer of the same target left', async () => {
    const folder = mkdtempSync(join(dir, 'leftovers-'));
    const target = join(folder, 'out.cif');
    // The id of a process that has exited, as after `kill -9` of a writer.
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const temp = (name: string, pid: number) => {
      const p = join(folder, `.${name}.${pid}.0123456789ab.tmp`);
      writeFileSync(p, 'half a file');
      return p;
    };
    temp('out.cif', dead);
    const live = temp('out.cif', process.pid); // a write of this process in progress
    const stale = temp('out.cif', process.ppid); // a live id, but untouched for two hours: left over
    const old = (Date.now() - 2 * STALE_TEMP_MS) / 1000;
    utimesSync(stale, old, old);
    temp('other.cif', dead); // another target's: its own writer cleans it
    writeFileSync(join(folder, 'out.cif.tmp'), 'a user file'); // not named as the writer names its files
    writeFileAtomicSync(target, 'data_x\n');
    expect(readdirSync(folder).sort()).toEqual(
      [`.other.cif.${dead}.0123456789ab.tmp`, basename(live), 'out.cif', 'out.cif.tmp'].sort(),
    );
    temp('out.cif', dead);
    await writeFileAtomic(target, 'data_y\n');
    expect(readdirSync(folder).filter((f) => f.startsWith('.out.cif.'))).toEqual([basename(live)]);
    expect(readFileSync(target, 'utf8')).toBe('data_y\n');
  });

  test('readDatasetCsvFile streams the whole carbon_24 val CSV with progress', async () => {
    let n = 0;
    let last: DatasetProgress | undefined;
    const onProgress = (p: DatasetProgress): void => {
      last = p;
    };
    for await (const _ of readDatasetCsvFile(join(ROOT, 'data', 'carbon_24', 'val.csv'), { onProgress })) n++;
    expect(n).toBe(2032);
    expect(last?.rows).toBe(2032);
    expect(last?.consumed).toBe(last?.total);
  });

  test('writeCif(c, { symmetrize: true }) writes the asymmetric unit and operations that expand back to c', async () => {
    await loadMoyo();
    const c = readCif(readFileSync(join(FIXTURES, 'real', 'cif', 'avogadro__elements__C-Diamond.cif'), 'utf8'))
      .crystals[0];
    expect(analyzeSymmetry(c).number).toBe(227);
    const sym = writeCif(c, { symmetrize: true });
    expect(sym).toContain("_symmetry_space_group_name_H-M   'F d -3 m'");
    const back = readCif(sym).crystals[0];
    expect(back.atomicNumbers.length).toBe(c.atomicNumbers.length);
    // one distinct site, with its multiplicity in this (conventional) cell and its Wyckoff letter
    expect(sym).toContain(' _atom_site_symmetry_multiplicity\n _atom_site_Wyckoff_symbol\n');
    expect(sym.trimEnd().split('\n').at(-1)).toBe('  C  C  8  a  0.00000000  0.00000000  0.00000000  1');
  });

  describe('writeFileAtomic and writeFileAtomicSync', () => {
    const writers = [
      ['writeFileAtomicSync', async (p: string, d: string | Iterable<string>) => writeFileAtomicSync(p, d)],
      ['writeFileAtomic', (p: string, d: string | Iterable<string>) => writeFileAtomic(p, d)],
    ] as const;

    test.each(writers)('%s(/dev/null) writes in place and leaves the device alone', async (_, write) => {
      await write('/dev/null', 'discarded');
      expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    });

    test.each(writers)('%s(fifo) writes into the FIFO for its reader, not over it', async (name, write) => {
      const fifo = join(dir, `${name}.fifo`);
      if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error('mkfifo failed');
      const reader = spawn('cat', [fifo]);
      let got = '';
      reader.stdout.on('data', (b: Buffer) => {
        got += b.toString('utf8');
      });
      const closed = new Promise((done) => reader.on('close', done));
      await write(fifo, ['through ', 'the pipe']);
      await closed;
      expect(got).toBe('through the pipe');
      expect(statSync(fifo).isFIFO()).toBe(true);
    });

    test.each(writers)('%s(symlink) replaces the link target and keeps the link', async (name, write) => {
      const target = join(dir, `${name}-target.txt`);
      const link = join(dir, `${name}-link.txt`);
      writeFileSync(target, 'old');
      symlinkSync(`${name}-target.txt`, link);
      await write(link, 'new');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(`${name}-target.txt`);
      expect(readFileSync(target, 'utf8')).toBe('new');
      // a dangling link gets its target created
      const dangling = join(dir, `${name}-dangling.txt`);
      symlinkSync(`${name}-created.txt`, dangling);
      await write(dangling, 'made');
      expect(readFileSync(join(dir, `${name}-created.txt`), 'utf8')).toBe('made');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    test.each(
      writers,
    )('%s keeps the old file and leaves no temporary file when the data fails', async (name, write) => {
      const p = join(dir, `${name}-failed.txt`);
      writeFileSync(p, 'old');
      function* failing(): Generator<string> {
        yield 'half a ';
        throw new Error('the data source failed');
      }
      await expect(write(p, failing())).rejects.toThrow('the data source failed');
      expect(readFileSync(p, 'utf8')).toBe('old');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });
});
