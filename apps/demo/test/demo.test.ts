import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { radiusGraph } from '@crys/graph';
import { readDatasetCsv, readPoscar, writeCif } from '@crys/io';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

/** Fraction of pixels of a PNG screenshot that differ from its most common colour (0 for a blank page). */
async function nonBlankFraction(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map<number, number>();
    for (let i = 0; i < d.length; i += 4) {
      const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const top = Math.max(...counts.values());
    return 1 - top / (d.length / 4);
  }, png.toString('base64'));
}

describe.skipIf(!haveChromium)('demo page in headless chromium', () => {
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

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
    expect(pageErrors).toEqual([]);
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

  test('the training-log view plots the curves of a shipped model’s training log (crys train --json lines)', async () => {
    const log = join(here, '../../../packages/model/models/perov_5/metrics.jsonl');
    await page.click('nav button[data-view="log"]');
    await page.setInputFiles('#log-file', log);
    await page.locator('[data-series="train.loss"] canvas').waitFor();
    await page.locator('[data-series="valid.loss"] canvas').waitFor();
    const records = readFileSync(log, 'utf8').trim().split('\n').length;
    expect(await page.locator('#log-summary').textContent()).toContain(`${records} records`);
    const png = await page.screenshot({ path: join(shots, 'training-log.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.01);
  });

  test('a log line that is not JSON is reported with its line number', async () => {
    const bad = join(shots, 'bad.jsonl');
    writeFileSync(bad, '{"type":"train","step":1,"loss":1}\nnot json\n');
    await page.setInputFiles('#log-file', bad);
    const error = page.locator('#log-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/^bad\.jsonl:2:1: expected one JSON object per line/);
  });

  test('relaxing with the shipped denoising model shows the same numbers as `crys relax` on the same input', async () => {
    const models = readdirSync(join(dist, 'models'));
    expect(models, 'the build ships perov_5-denoise (packages/model/models)').toContain('perov_5-denoise');
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
    const png = await page.screenshot({ path: join(shots, 'model-relax.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.02);

    // Perturb and relax: a verdict against the loaded crystal and an RMS curve.
    await page.check('#m-perturb');
    await page.fill('#m-steps', '');
    await page.click('#m-run');
    await expect.poll(() => page.locator('#m-status').textContent(), { timeout: 120_000 }).toMatch(/steps in/);
    expect(await page.locator('[data-verdict="match"]').textContent()).toMatch(/match/);
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
});
