import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { radiusGraph } from '@crys/graph';
import { readDatasetCsv, readPoscar } from '@crys/io';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveStatic } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const shots = join(here, '..', 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`demo browser test: ${CHROMIUM} is missing in CI (.ci/run installs Debian's chromium)`);
}
if (!haveChromium) {
  console.warn(`demo browser test SKIPPED: no ${CHROMIUM} (apt-get install -y chromium to run it)`);
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

  test('the training-log view plots the curves of a JSON-lines log', async () => {
    const log = join(shots, 'train.jsonl');
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ type: 'train', step: i + 1, loss: 1 / (i + 1) }),
    );
    lines.push(JSON.stringify({ type: 'valid', step: 30, loss: 0.05 }));
    writeFileSync(log, `${lines.join('\n')}\n`);
    await page.click('nav button[data-view="log"]');
    await page.setInputFiles('#log-file', log);
    await page.locator('[data-series="train.loss"] canvas').waitFor();
    const png = await page.screenshot({ path: join(shots, 'training-log.png') });
    expect(await nonBlankFraction(page, png)).toBeGreaterThan(0.01);
  });
});
