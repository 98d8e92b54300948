import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { determinant } from '@crys/lattice';
import { describe, expect, test } from 'vitest';
import { FIXTURES, REPO, runCli, tempDir } from '../test/run-cli.js';

// Diamond silicon in its 2-atom primitive cell: elements Perov-5 knows, but not a 5-atom perovskite cell.
const silicon = 'Si\n1.0\n0 2.715 2.715\n2.715 0 2.715\n2.715 2.715 0\nSi\n2\nDirect\n0 0 0\n0.25 0.25 0.25\n';

describe("the model's domain", () => {
  test('predict --composition outside the training cells warns on stderr, naming the atom count, and still predicts', () => {
    const dir = tempDir();
    const out = join(dir, 'cto.cif');
    const r = runCli(['predict', '--composition', 'Ca4Ti4O12', '--model', 'perov_5', '--steps', '5', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'warning: the input is outside the domain of model perov_5 (trained on 3036 crystals of data/perov_5/val.csv)',
    );
    expect(r.stderr).toContain(
      "--composition 'Ca4Ti4O12': 20 atoms per cell; model perov_5 was trained on cells of 5 atoms",
    );
    expect(existsSync(out)).toBe(true);
  });

  test('predict --strict refuses an input outside the domain before any work, with exit code 1', () => {
    const out = join(tempDir(), 'cto.cif');
    const r = runCli(['predict', '--composition', 'Ca4Ti4O12', '--model', 'perov_5', '--out', out, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "crys predict: error: the input is outside the domain of model perov_5 (trained on 3036 crystals of data/perov_5/val.csv): --composition 'Ca4Ti4O12': 20 atoms per cell",
    );
    expect(r.stderr).toContain('hint: leave out --strict to run anyway');
    expect(existsSync(out)).toBe(false);
  });

  test('predict refuses an element the model never saw, naming it and the elements the model knows', () => {
    const r = runCli(['predict', '--composition', 'H2O', '--model', 'perov_5', '--out', join(tempDir(), 'x.cif')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "crys predict: error: --composition 'H2O': H is not among the 56 element(s) model perov_5 was trained on",
    );
    expect(r.stderr).toMatch(/hint: model perov_5 knows Li Be B N O F .* Bi; pick another --model/);
    expect(r.stderr).not.toContain('atomicNumbers');
  });

  test('predict inside the domain prints no warning, and its JSON carries the physical checks and the prior volume', () => {
    const r = runCli(['predict', '--composition', 'SrTiO3', '--steps', '5', '--out', '-', '--json'], {});
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('warning');
    const json = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('\n{"composition"') + 1)) as {
      priorVolume: number;
      samples: { checks: { covalentRatio: number; density: number; ok: boolean; problems: string[] } }[];
    };
    expect(json.priorVolume).toBeGreaterThan(30);
    const [checks] = json.samples.map((s) => s.checks);
    expect(checks.density).toBeGreaterThan(0);
    expect(checks.covalentRatio).toBeGreaterThan(0);
    expect(checks.ok).toBe(checks.problems.length === 0);
  });

  test('predict --lattice-model gives the predicted atoms the cell of a lattice-recovery model and says so; a structure model is refused as --lattice-model', () => {
    const base = ['predict', '--composition', 'SrTiO3', '--steps', '5', '--seed', '2', '--out', '-', '--json'];
    const parse = (stdout: string) =>
      JSON.parse(stdout.slice(stdout.lastIndexOf('\n{"composition"') + 1)) as {
        latticeModel?: string;
        samples: { volume: number }[];
      };
    const plain = runCli(base);
    const piped = runCli([...base, '--lattice-model', 'perov_5-lattice']);
    expect(piped.code).toBe(0);
    expect(parse(piped.stdout).latticeModel).toBe('perov_5-lattice');
    expect(parse(plain.stdout).latticeModel).toBeUndefined();
    expect(parse(piped.stdout).samples[0].volume).not.toBeCloseTo(parse(plain.stdout).samples[0].volume, 3);
    const table = runCli([
      'predict',
      '--composition',
      'SrTiO3',
      '--steps',
      '5',
      '--lattice-model',
      'perov_5-lattice',
      '--out',
      join(tempDir(), 's.cif'),
    ]);
    expect(table.stdout).toContain('SrTiO3: 1 sample(s) with model perov_5 and lattices by perov_5-lattice');
    const wrong = runCli([...base, '--lattice-model', 'perov_5']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--lattice-model 'perov_5' is a structure model, not a lattice-recovery model");
  });

  test("predict --composition SrTiO3 --seed 3 is the API's predictStructure(model, [Sr, Ti, O, O, O], { seed: 3 })", async () => {
    const { initModelBackend, predictStructure } = await import('@crys/model');
    const { loadShippedModel } = await import('@crys/model/node');
    await initModelBackend('wasm');
    const api = predictStructure(loadShippedModel('perov_5'), [38, 22, 8, 8, 8], { seed: 3, steps: 5 }).crystal;
    const r = runCli(['predict', '--composition', 'SrTiO3', '--seed', '3', '--steps', '5', '--out', '-', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('\n{"composition"') + 1)) as {
      samples: { volume: number }[];
    };
    expect(json.samples[0].volume).toBeCloseTo(Math.abs(determinant(api.lattice)), 6);
  });

  test('relax of a cell outside the domain warns (atom count), --strict refuses it, and the output carries the checks', () => {
    const dir = tempDir();
    const input = join(dir, 'si.vasp');
    writeFileSync(input, silicon);
    const args = ['relax', input, '--model', 'perov_5-denoise', '--steps', '5', '--out', join(dir, 'r.cif')];
    const r = runCli([...args, '--trajectory', join(dir, 't.xyz'), '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${input}: 2 atoms per cell; model perov_5-denoise was trained on cells of 5 atoms`);
    const json = JSON.parse(r.stdout) as { checks: { closestPair: { elements: string[] }; density: number } };
    expect(json.checks.closestPair.elements).toEqual(['Si', 'Si']);
    expect(json.checks.density).toBeGreaterThan(0);
    const strict = runCli([...args, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('crys relax: error: the input is outside the domain of model perov_5-denoise');
    const table = runCli([...args, '--trajectory', join(dir, 't.xyz')]);
    expect(table.stdout).toMatch(
      /final structure: closest Si–Si \d\.\d\d Å \(\d\.\d\d × covalent radii\), \d\.\d\d g\/cm³/,
    );
  });

  test('eval refuses rows with an element the model never saw, before evaluating', () => {
    const r = runCli(
      ['eval', '--model', 'carbon_24-denoise', '--data', join(FIXTURES, 'two-rows.csv'), '--split', 'all'],
      {},
    );
    // two-rows.csv holds perovskites: carbon_24 knows none of their elements
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not among the 1 element\(s\) model carbon_24-denoise was trained on/);
  });
});

describe('defaults per model', () => {
  test('relax without --steps runs the steps recorded in the model file (chosen on the validation split)', () => {
    const model = JSON.parse(readFileSync(join(REPO, 'packages/model/models/perov_5-denoise/model.json'), 'utf8')) as {
      config: { steps: number; meta: { sampler?: string } };
    };
    expect(model.config.meta.sampler).toMatch(/on the valid split/);
    const dir = tempDir();
    const input = join(dir, 'si.vasp');
    writeFileSync(input, silicon);
    const out = ['--out', join(dir, 'r.cif'), '--trajectory', join(dir, 't.xyz')];
    const r = runCli(['relax', input, '--model', 'perov_5-denoise', ...out, '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { steps: unknown[] }).steps).toHaveLength(model.config.steps);
  });
});

describe('messages in the words of the command line', () => {
  test('a --model file that is JSON but not a model is named, without the API names of loadModel', () => {
    const file = join(tempDir(), 'notes.json');
    writeFileSync(file, '{"a":1}');
    const r = runCli(['predict', '--composition', 'SrTiO3', '--model', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `crys predict: error: ${file} is not a crys model file: must have format 'crys-action-model', got undefined`,
    );
    expect(r.stderr).not.toContain('loadModel');
  });
});

describe('failing early', () => {
  test('eval --json into a folder that does not exist fails before loading the data or the model', () => {
    const t0 = Date.now();
    const r = runCli(['eval', '--model', 'perov_5', '--data', 'data/perov_5/val.csv', '--json', '/nonexistent/e.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('crys eval: error: --json: cannot write /nonexistent/e.json: its folder does not exist');
    expect(r.stderr).not.toContain('evaluating');
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  test('relax --trajectory onto a folder fails before relaxing', () => {
    const dir = tempDir();
    const input = join(dir, 'si.vasp');
    writeFileSync(input, silicon);
    const r = runCli(['relax', input, '--out', join(dir, 'r.cif'), '--trajectory', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`crys relax: error: --trajectory: cannot write ${dir}: it is a folder`);
    expect(existsSync(join(dir, 'r.cif'))).toBe(false);
  });

  test('relax --no-trajectory writes only the final structure', () => {
    const dir = tempDir();
    const input = join(dir, 'si.vasp');
    writeFileSync(input, silicon);
    const r = runCli(['relax', input, '--steps', '2', '--out', join(dir, 'r.cif'), '--no-trajectory', '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { trajectory: unknown }).trajectory).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['r.cif', 'si.vasp']);
  });

  test('train refuses a dataset too small to split, saying why, and writes no run', () => {
    const dir = tempDir();
    const one = join(dir, 'one.csv');
    const cif = [
      'data_si',
      ...['a', 'b', 'c'].map((x) => `_cell_length_${x} 3.84`),
      ...['alpha', 'beta', 'gamma'].map((x) => `_cell_angle_${x} 60`),
      'loop_',
      ...['type_symbol', 'fract_x', 'fract_y', 'fract_z'].map((x) => `_atom_site_${x}`),
      'Si 0 0 0',
      'Si 0.25 0.25 0.25',
    ].join('\n');
    writeFileSync(one, `material_id,cif\nsi,"${cif}"\n`);
    const r = runCli(['train', '--task', 'denoise', '--data', one, '--out', join(dir, 'run'), '--steps', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /crys train: error: .*one\.csv is too small to split: its 1 crystal\(s\) give [01] for training and 0 for validation, and a run needs both/,
    );
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});
