import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spaceGroup } from '@crys/eval';
import { radiusGraph } from '@crys/graph';
import { FORMATS, readDatasetCsv, readPoscar, writeCif } from '@crys/io';
import { type Crystal, elementSymbol } from '@crys/lattice';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { elementColor } from '../src/colors.js';
import { serveStatic } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const shots = join(here, '..', 'test-results');
const cli = join(here, '../../cli/dist/bin.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`demo browser test: ${CHROMIUM} is missing in CI (.ci/run installs Debian's chromium)`);
}
if (!haveChromium) {
  console.warn(`demo browser test SKIPPED: no ${CHROMIUM} (apt-get install -y chromium to run it)`);
}

/** What the page exposes on `globalThis.crys` for tests. */
interface DemoGlobal {
  crys: { modelView(): { run: { model: string } | null } | null };
}

/**
 * Statistics of a PNG screenshot, decoded by the browser: the fraction of pixels that differ from its most common
 * colour (0 for a blank page) and, given a colour, the pixels within `tolerance` (per channel) of it: how many,
 * and how many distinct rows they cover out of the image's height.
 */
async function pixelStats(
  page: Page,
  png: Buffer,
  colour = { rgb: 0, tolerance: -1 },
): Promise<{ nonBlank: number; count: number; rows: number; height: number }> {
  return page.evaluate(
    async ([b64, rgb, tolerance]) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const r = (rgb >> 16) & 255,
        g = (rgb >> 8) & 255,
        b = rgb & 255;
      const counts = new Map<number, number>();
      let count = 0;
      const rows = new Set<number>();
      for (let i = 0; i < d.length; i += 4) {
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (
          Math.abs(d[i] - r) <= tolerance &&
          Math.abs(d[i + 1] - g) <= tolerance &&
          Math.abs(d[i + 2] - b) <= tolerance
        ) {
          count++;
          rows.add(Math.floor(i / 4 / c.width));
        }
      }
      const nonBlank = 1 - Math.max(...counts.values()) / (d.length / 4);
      return { nonBlank, count, rows: rows.size, height: c.height };
    },
    [png.toString('base64'), colour.rgb, colour.tolerance] as const,
  );
}

async function nonBlankFraction(page: Page, png: Buffer): Promise<number> {
  return (await pixelStats(page, png)).nonBlank;
}

async function colourPixels(page: Page, png: Buffer, rgb: number, tolerance: number) {
  return pixelStats(page, png, { rgb, tolerance });
}

/** The tick labels a plot drew on its canvas (mirrored in `data-x-ticks` / `data-y-ticks`). */
async function ticks(plot: Locator, axis: 'x' | 'y'): Promise<string[]> {
  return ((await plot.getAttribute(`data-${axis}-ticks`)) ?? '').split('|');
}

/** Checks that an axis is not degenerate: at least three tick labels, all different (not "0 0 0" or "0,000"). */
async function expectRealAxis(plot: Locator, axis: 'x' | 'y'): Promise<string[]> {
  const labels = await ticks(plot, axis);
  expect(labels.length, `${axis} ticks ${labels.join(' ')}`).toBeGreaterThanOrEqual(3);
  expect(new Set(labels).size, `${axis} ticks ${labels.join(' ')}`).toBe(labels.length);
  for (const l of labels) expect(Number(l), `tick label '${l}' is a number`).not.toBeNaN();
  return labels;
}

/** The distinct element symbols of a crystal, in order of first appearance. */
function symbols(crystal: Crystal): string[] {
  return [...new Set(Array.from(crystal.atomicNumbers, (z) => elementSymbol(z)))];
}

/**
 * Checks the legend: it lists exactly the crystal's elements, and its screenshot shows each element's Jmol colour
 * (the swatches) — what the user sees, not just the markup.
 */
async function expectLegend(page: Page, legend: Locator, crystal: Crystal, shot: string): Promise<void> {
  const listed = await legend
    .locator('[data-element]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-element')));
  expect(listed.sort()).toEqual(symbols(crystal).sort());
  expect(await legend.isVisible()).toBe(true);
  const png = await legend.screenshot({ path: join(shots, shot) });
  for (const z of new Set(crystal.atomicNumbers)) {
    const { count } = await colourPixels(page, png, elementColor(z), 2);
    expect(count, `legend swatch of ${elementSymbol(z)} in ${shot}`).toBeGreaterThan(20);
  }
}

describe.skipIf(!haveChromium)('demo page in headless chromium', () => {
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const failedRequests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) throw new Error('apps/demo/dist is missing: run `pnpm build` first');
    ({ server, url } = await serveStatic(dist));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`);
    });
    mkdirSync(shots, { recursive: true });
    await page.goto(url);
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  test('the structure view shows the first Perov-5 crystal and its 4 Å multigraph, as @crys/graph counts it', async () => {
    const edges = page.locator('[data-stat="edges"]');
    await edges.waitFor({ timeout: 60_000 });
    const csv = readFileSync(join(here, '../../../data/perov_5/val.csv'), 'utf8');
    const first = readDatasetCsv(csv).next().value!;
    const expected = radiusGraph(first.crystal, { cutoff: 4 }).src.length;
    expect(Number(await edges.textContent())).toBe(expected);
    const png = await page.screenshot({ path: join(shots, 'structure.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.02);
    await expectLegend(page, page.locator('#legend'), first.crystal, 'structure-legend.png');
    // The space group as @crys/eval finds it (moyo on the primitive cell, symprec 0.1 Å), e.g. "Pm-3m (221)".
    const sg = await spaceGroup(first.crystal, { symprec: 0.1 });
    await expect
      .poll(() => page.locator('[data-info="space group"]').textContent())
      .toBe(`${sg.symbol.replace(/\s+/g, '')} (${sg.number})`);
    expect(pageErrors).toEqual([]);
  });

  test('the page has a favicon and every request it made succeeded', async () => {
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    const res = await page.request.get(new URL(href!, url).href);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('<svg');
    expect(failedRequests).toEqual([]);
  });

  test('a hovered atom’s tooltip does not outlive the crystal: loading a file hides it', async () => {
    const box = (await page.locator('#canvas canvas').boundingBox())!;
    const tip = page.locator('#tooltip');
    // Sweep the pointer over the canvas until it is over an atom or an edge.
    let hit: { x: number; y: number } | null = null;
    search: for (let fy = 0.3; fy <= 0.7; fy += 0.05) {
      for (let fx = 0.3; fx <= 0.7; fx += 0.05) {
        const at = { x: box.x + fx * box.width, y: box.y + fy * box.height };
        await page.mouse.move(at.x, at.y);
        if (await tip.isVisible()) {
          hit = at;
          break search;
        }
      }
    }
    expect(hit).not.toBeNull();
    expect(await tip.textContent()).toMatch(/^(atom|edge) \d+/);
    // Leaving the canvas hides it…
    await page.mouse.move(box.x - 20, box.y + box.height / 2);
    expect(await tip.isVisible()).toBe(false);
    await page.mouse.move(hit!.x, hit!.y);
    expect(await tip.isVisible()).toBe(true);
    // …and so does a new crystal.
    await page.setInputFiles('#file', join(here, 'fixtures/SrTiO3.vasp'));
    await expect.poll(() => page.locator('#info').textContent()).toContain('SrTiO3.vasp');
    expect(await tip.isVisible()).toBe(false);
    // The dataset menus now name the file, not the sample that was on show before.
    expect(await page.locator('#dataset option:checked').textContent()).toBe('file: SrTiO3.vasp');
    expect(await page.locator('#row option:checked').textContent()).toBe('#1 — SrTiO3');
    const crystal = readPoscar(readFileSync(join(here, 'fixtures/SrTiO3.vasp'), 'utf8')).crystals[0];
    await expectLegend(page, page.locator('#legend'), crystal, 'srtio3-legend.png');
    await expect.poll(() => page.locator('[data-info="space group"]').textContent()).toBe('Pm-3m (221)');
  });

  test('a dropped POSCAR of a 2 Å cubic cell shows its image self-loops', async () => {
    const file = join(here, 'fixtures/tiny-cubic.vasp');
    await page.setInputFiles('#file', file);
    await expect.poll(() => page.locator('#info').textContent()).toContain('tiny-cubic.vasp');
    const crystal = readPoscar(readFileSync(file, 'utf8')).crystals[0];
    const g = radiusGraph(crystal, { cutoff: 4 });
    expect(Number(await page.locator('[data-stat="image self-loops"]').textContent())).toBe(g.src.length);
    expect(g.src.length).toBe(32); // 6 at 2 Å, 12 at 2√2, 8 at 2√3, 6 at 4 Å
  });

  test('a broken CIF shows a message with the line at fault and keeps the page alive', async () => {
    await page.setInputFiles('#file', join(here, 'fixtures/broken.cif'));
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/broken\.cif:4:/);
    expect(await page.locator('#info').textContent()).toContain('tiny-cubic.vasp');
  });

  test('overlapping atoms in a file are listed as a warning under the menus; the crystal is still shown', async () => {
    const dup = join(shots, 'dup.vasp');
    writeFileSync(dup, 'dup\n1.0\n4 0 0\n0 4 0\n0 0 4\nNa Cl\n2 1\nDirect\n0 0 0\n0 0 0.01\n0.5 0.5 0.5\n');
    await page.setInputFiles('#file', dup);
    await expect.poll(() => page.locator('#info').textContent()).toContain('dup.vasp');
    expect(await page.locator('#warnings').textContent()).toBe(
      'dup.vasp: atom 1 (Na) and atom 2 (Na) are 0.0400 Å apart (periodic images included), closer than 0.5 Å',
    );
    await page.setInputFiles('#file', join(here, 'fixtures/tiny-cubic.vasp'));
    await expect.poll(() => page.locator('#info').textContent()).toContain('tiny-cubic.vasp');
    expect(await page.locator('#warnings').isVisible()).toBe(false);
  });

  test('a file in no known format is named, with the formats the page reads', async () => {
    const notes = join(shots, 'notes.txt');
    writeFileSync(notes, 'these are not atoms\n');
    await page.setInputFiles('#file', notes);
    const error = page.locator('#error');
    await expect
      .poll(() => error.textContent())
      .toMatch(
        /^notes\.txt: cannot tell the file format from its name or content\. Readable formats: CIF \(\.cif, \.mcif\), /,
      );
    expect(await page.locator('#info').textContent()).toContain('tiny-cubic.vasp');
  });

  test.skipIf(!FORMATS.some((f) => f.id === 'xsf'))(
    'an XSF file is read by @crys/io like the CLI reads it',
    async () => {
      await page.setInputFiles('#file', join(here, 'fixtures/CsCl.xsf'));
      await expect.poll(() => page.locator('#info').textContent()).toContain('CsCl.xsf');
      expect(await page.locator('#error').isVisible()).toBe(false);
      await expect.poll(() => page.locator('[data-info="space group"]').textContent()).toBe('Pm-3m (221)');
      expect(await page.locator('#legend [data-element]').evaluateAll((els) => els.map((e) => e.textContent))).toEqual([
        'Cs×1',
        'Cl×1',
      ]);
    },
  );

  test('the training-log view plots the curves of a shipped model’s training log (crys train --json lines)', async () => {
    const log = join(here, '../../../packages/model/models/perov_5/metrics.jsonl');
    await page.click('nav button[data-view="log"]');
    await page.setInputFiles('#log-file', log);
    const loss = page.locator('[data-series="loss"]');
    await loss.locator('canvas').waitFor();
    expect(await loss.getAttribute('data-members')).toBe('train.loss valid.loss');
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(await page.locator('#log-summary').textContent()).toContain(`${lines.length} records`);
    // The start record's sizes are numbers in the summary, not flat one-point plots.
    const start = JSON.parse(lines[0]);
    expect(await page.locator('[data-constant="start.parameters"]').textContent()).toBe(String(start.parameters));
    expect(await page.locator('[data-series^="start"], [data-series="parameters"]').count()).toBe(0);
    const png = await page.screenshot({ path: join(shots, 'training-log.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.01);
    // Real axes: distinct ticks; the x axis ends at the last step; the curve spans the plot's height.
    for (const field of ['loss', 'atomLoss', 'latticeLoss', 'gradNorm', 'lr']) {
      const plot = page.locator(`[data-series="${field}"]`);
      await expectRealAxis(plot, 'y');
      await expectRealAxis(plot, 'x');
    }
    const x = (await ticks(loss, 'x')).map(Number);
    const lastStep = JSON.parse(lines[lines.length - 1]).step;
    expect(Math.max(...x)).toBeLessThanOrEqual(lastStep);
    expect(Math.max(...x)).toBeGreaterThan(lastStep / 2);
    const plotPng = await loss.locator('canvas').screenshot({ path: join(shots, 'training-log-loss.png') });
    const curve = await colourPixels(page, plotPng, 0x4c6ef5, 40);
    expect(curve.rows / curve.height, 'the train.loss curve covers the plot height').toBeGreaterThan(0.4);
    // A logarithmic y axis has distinct ticks too.
    await page.check('#log-logy');
    await expect
      .poll(async () => (await ticks(page.locator('[data-series="loss"]'), 'y')).length)
      .toBeGreaterThanOrEqual(2);
    const logTicks = await ticks(page.locator('[data-series="loss"]'), 'y');
    expect(new Set(logTicks).size).toBe(logTicks.length);
    await page.screenshot({ path: join(shots, 'training-log-logy.png') });
    await page.uncheck('#log-logy');
  });

  test('a log line that is not JSON is reported with its line number', async () => {
    const bad = join(shots, 'bad.jsonl');
    writeFileSync(bad, '{"type":"train","step":1,"loss":1}\nnot json\n');
    await page.setInputFiles('#log-file', bad);
    const error = page.locator('#log-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/^bad\.jsonl:2:1: expected one JSON object per line/);
  });

  test('a flat series (every value the same) gets an axis of distinct ticks around its value, not "0 0 0"', async () => {
    const flat = join(shots, 'flat.jsonl');
    writeFileSync(flat, [1, 2, 3, 4].map((step) => `{"type":"train","step":${step},"loss":0.25,"lr":0}`).join('\n'));
    await page.setInputFiles('#log-file', flat);
    await expect.poll(() => page.locator('#log-summary').textContent()).toContain('4 records');
    const loss = await expectRealAxis(page.locator('[data-series="loss"]'), 'y');
    expect(Math.min(...loss.map(Number))).toBeLessThan(0.25);
    expect(Math.max(...loss.map(Number))).toBeGreaterThan(0.25);
    const lr = await expectRealAxis(page.locator('[data-series="lr"]'), 'y');
    expect(lr[0]).toBe('0.0');
    await page.screenshot({ path: join(shots, 'training-log-flat.png') });
  });

  test('relaxing with the shipped denoising model shows the same numbers as `crys relax` on the same input', async () => {
    const models = readdirSync(join(dist, 'models'));
    expect(models, 'the build ships perov_5-denoise (packages/model/models)').toContain('perov_5-denoise');
    // each model file once: not a second, hashed copy under assets/ (Vite copies what shippedModelUrl points at)
    expect(readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.json'))).toEqual([]);
    // The first Perov-5 crystal, as the page has it selected, written to a file for the CLI.
    await page.click('nav button[data-view="structure"]');
    await page.selectOption('#dataset', 'perov_5');
    await expect.poll(() => page.locator('#info').textContent()).toContain('perov_5/');
    const csv = readFileSync(join(here, '../../../data/perov_5/val.csv'), 'utf8');
    const first = readDatasetCsv(csv).next().value!;
    const dir = mkdtempSync(join(tmpdir(), 'crys-demo-'));
    const file = join(dir, 'first.cif');
    writeFileSync(file, writeCif(first.crystal));
    const out = execFileSync(
      process.execPath,
      [
        cli,
        'relax',
        file,
        '--model',
        process.env.CRYS_DEMO_MODELS_DIR
          ? join(process.env.CRYS_DEMO_MODELS_DIR, 'perov_5-denoise', 'model.json')
          : 'perov_5-denoise',
        '--steps',
        '12',
        '--start-level',
        '0.5',
        '--json',
        '--out',
        join(dir, 'out.cif'),
        '--trajectory',
        join(dir, 't.xyz'),
      ],
      { encoding: 'utf8' },
    );
    const steps = JSON.parse(out).steps as { a: number; b: number; c: number; alpha: number }[];
    const last = steps[steps.length - 1];

    await page.click('nav button[data-view="model"]');
    await page.selectOption('#m-model', 'perov_5-denoise');
    await page.fill('#m-steps', '12');
    await page.fill('#m-level', '0.5');
    await page.uncheck('#m-perturb');
    await page.click('#m-run');
    await page.locator('[data-final="abc"], #m-error:not([hidden])').first().waitFor({ timeout: 120_000 });
    expect(await page.locator('#m-error').textContent()).toBe('');
    const abc = (await page.locator('[data-final="abc"]').textContent())!.split(',').map(Number);
    expect(abc[0]).toBeCloseTo(last.a, 3);
    expect(abc[1]).toBeCloseTo(last.b, 3);
    expect(abc[2]).toBeCloseTo(last.c, 3);
    expect(await page.locator('#m-frame').textContent()).toBe('step 12 / 12');
    // Relaxing the exact crystal: RMS distances near zero (the plot that read "0 0 0").
    await expectRealAxis(page.locator('[data-plot="rms"]'), 'y');
    const png = await page.screenshot({ path: join(shots, 'model-relax.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.02);

    // Perturb and relax: a verdict against the loaded crystal and an RMS curve.
    await page.check('#m-perturb');
    await page.fill('#m-steps', '');
    await page.click('#m-run');
    await expect.poll(() => page.locator('#m-status').textContent(), { timeout: 120_000 }).toMatch(/steps in/);
    // Both verdicts, as `crys match` prints them: pymatgen's fit and the CSP papers' RMS match.
    expect(await page.locator('[data-verdict="match"]').textContent()).toMatch(/^(no )?match$/);
    expect(await page.locator('[data-verdict="rms-match"]').textContent()).toMatch(/^(no )?match$/);
    expect(await page.locator('[data-verdict="rms-match"]').textContent()).toBe(
      (await page.locator('[data-verdict="rms"]').textContent()) === '–' ? 'no match' : 'match',
    );
    await expect.poll(() => page.locator('[data-spacegroup="target"]').textContent()).toMatch(/^\S+ \(\d+\)$/);
    await expect.poll(() => page.locator('[data-spacegroup="final"]').textContent()).toMatch(/^\S+ \(\d+\)$/);
    for (const plot of ['rms', 'lengths']) {
      await expectRealAxis(page.locator(`[data-plot="${plot}"]`), 'x');
      await expectRealAxis(page.locator(`[data-plot="${plot}"]`), 'y');
    }
    await page.locator('[data-plot="rms"]').screenshot({ path: join(shots, 'model-rms-plot.png') });
    await expectLegend(page, page.locator('#m-legend'), first.crystal, 'model-legend.png');
    await page.click('#m-play');
    await page.screenshot({ path: join(shots, 'model-perturb-relax.png') });

    // Structure prediction for the loaded crystal's composition from a seeded random start.
    await page.selectOption('#m-model', 'perov_5');
    await page.click('#m-run');
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as DemoGlobal).crys.modelView()?.run?.model), {
        timeout: 120_000,
      })
      .toBe('perov_5');
    await page.locator('[data-verdict="match"]').waitFor();
    expect(await page.locator('#m-frame').textContent()).toMatch(/^step \d+ \/ \d+$/);
    await page.screenshot({ path: join(shots, 'model-predict.png') });
    expect(pageErrors).toEqual([]);
  });

  test('the model menu follows the loaded crystal: SrTiO3 runs on perov_5, Po has no model, a run does not outlive its crystal', async () => {
    const expectDisabled = async (model: string, reason: string) => {
      const option = page.locator(`#m-model option[value="${model}"]`);
      expect(await option.textContent()).toBe(`${model} — ${reason}`);
      expect(await option.isDisabled()).toBe(true);
    };
    // A Carbon-24 crystal: the carbon models fit, the Perov-5 ones are disabled with the reason.
    await page.click('nav button[data-view="structure"]');
    await page.selectOption('#dataset', 'carbon_24');
    await expect.poll(() => page.locator('#info').textContent()).toContain('carbon_24/');
    await page.click('nav button[data-view="model"]');
    expect(await page.locator('#m-model').inputValue()).toBe('carbon_24');
    await expectDisabled('perov_5', 'trained on 56 elements of perov_5 (not C)');
    await page.fill('#m-steps', '5');
    await page.click('#m-run');
    await expect.poll(() => page.locator('#m-status').textContent(), { timeout: 120_000 }).toMatch(/steps in/);
    expect(await page.locator('#m-frame').textContent()).toBe('step 5 / 5');

    // SrTiO3 (the failure: "model 'carbon_24' was not trained on O"): the menu moves to perov_5 and the
    // carbon run is gone.
    await page.click('nav button[data-view="structure"]');
    await page.setInputFiles('#file', join(here, 'fixtures/SrTiO3.vasp'));
    await expect.poll(() => page.locator('#info').textContent()).toContain('SrTiO3.vasp');
    await page.click('nav button[data-view="model"]');
    expect(await page.locator('#m-model').inputValue()).toBe('perov_5');
    await expectDisabled('carbon_24', 'trained on C only (not Sr, Ti, O)');
    expect(await page.locator('#m-composition').inputValue()).toBe('SrTiO3');
    expect(await page.locator('#m-frame').textContent()).toBe('–');
    expect(await page.locator('#m-verdict').textContent()).toBe('');
    expect(await page.locator('#m-plots').innerHTML()).toBe('');
    await page.fill('#m-steps', '');
    await page.click('#m-run');
    await expect.poll(() => page.locator('#m-status').textContent(), { timeout: 120_000 }).toMatch(/steps in/);
    expect(await page.locator('#m-error').isVisible()).toBe(false);
    await page.locator('[data-verdict="rms-match"]').waitFor();
    await expectLegend(
      page,
      page.locator('#m-legend'),
      readPoscar(readFileSync(join(here, 'fixtures/SrTiO3.vasp'), 'utf8')).crystals[0],
      'srtio3-model-legend.png',
    );
    await page.screenshot({ path: join(shots, 'model-srtio3.png') });

    // A composition outside the training cells runs, with the model's domain warning.
    await page.fill('#m-composition', 'Ca4Ti4O12');
    await expect
      .poll(() => page.locator('#m-domain').textContent())
      .toBe("20 atoms per cell; model 'perov_5' was trained on cells of 5 atoms");
    await page.fill('#m-composition', 'SrTiO3');
    expect(await page.locator('#m-domain').isVisible()).toBe(false);

    // Po: no shipped model knows it; the page says why and Run is off.
    await page.click('nav button[data-view="structure"]');
    await page.setInputFiles('#file', join(here, 'fixtures/tiny-cubic.vasp'));
    await expect.poll(() => page.locator('#info').textContent()).toContain('tiny-cubic.vasp');
    await page.click('nav button[data-view="model"]');
    const noModel = page.locator('#m-nomodel');
    expect(await noModel.isVisible()).toBe(true);
    expect(await noModel.textContent()).toBe(
      'No shipped model can run on Po: carbon_24 models: trained on C only (not Po); perov_5 models: trained on 56 elements of perov_5 (not Po). Load a crystal (or type a composition) made of elements one of the training sets covers.',
    );
    expect(await page.locator('#m-run').isDisabled()).toBe(true);
    expect(await page.locator('#m-model option:checked').textContent()).toBe('no model fits');
    await page.screenshot({ path: join(shots, 'model-no-model.png') });
    expect(pageErrors).toEqual([]);
  });

  test('at 800 px wide nothing overflows: the 3D views, the legend, the model controls and the plots fit', async () => {
    const narrow = await browser.newPage({ viewport: { width: 800, height: 800 } });
    const narrowErrors: string[] = [];
    narrow.on('pageerror', (e) => narrowErrors.push(String(e)));
    narrow.on('console', (m) => {
      if (m.type() === 'error') narrowErrors.push(m.text());
    });
    try {
      await narrow.goto(url);
      await narrow.locator('[data-stat="edges"]').waitFor({ timeout: 60_000 });
      const fits = async (what: string, locator: Locator, minWidth: number) => {
        const box = (await locator.boundingBox())!;
        expect(box, what).not.toBeNull();
        expect(box.x + box.width, `${what} right edge`).toBeLessThanOrEqual(800);
        expect(box.width, `${what} width`).toBeGreaterThanOrEqual(minWidth);
      };
      const noHorizontalScroll = async () =>
        expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
      await noHorizontalScroll();
      await fits('structure canvas', narrow.locator('#canvas canvas'), 480);
      await fits('legend', narrow.locator('#legend'), 100);
      await narrow.screenshot({ path: join(shots, 'structure-800.png') });

      await narrow.click('nav button[data-view="model"]');
      await fits('model menu', narrow.locator('#m-model'), 300);
      await fits('model canvas', narrow.locator('#m-canvas'), 480);
      await fits('Run button', narrow.locator('#m-run'), 100);
      await narrow.fill('#m-steps', '10');
      await narrow.selectOption('#m-model', 'perov_5-denoise');
      await narrow.click('#m-run');
      await expect
        .poll(async () => `${await narrow.locator('#m-status').textContent()} ${narrowErrors.join('; ')}`, {
          timeout: 120_000,
        })
        .toMatch(/steps in/);
      await fits('RMS plot', narrow.locator('[data-plot="rms"] canvas'), 260);
      await noHorizontalScroll();
      await narrow.screenshot({ path: join(shots, 'model-800.png') });

      await narrow.click('nav button[data-view="log"]');
      await narrow.setInputFiles('#log-file', join(here, '../../../packages/model/models/perov_5/metrics.jsonl'));
      await narrow.locator('[data-series="loss"] canvas').waitFor();
      await fits('loss plot', narrow.locator('[data-series="loss"] canvas'), 300);
      await noHorizontalScroll();
      await narrow.screenshot({ path: join(shots, 'training-log-800.png') });
      expect(narrowErrors).toEqual([]);
    } finally {
      await narrow.close();
    }
  });
});
