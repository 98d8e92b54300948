// `changeset version` on a temporary copy of the workspace's manifests and changesets, with one more changeset
// of our own: versions move as the changesets say, dependents that leave a range get a patch, the private apps
// keep theirs, and every CHANGELOG.md gains the summaries.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDir, root, satisfies } from './harness.mjs';

type Bump = 'major' | 'minor' | 'patch';
interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const ORDER: Bump[] = ['patch', 'minor', 'major'];
const ours = {
  file: 'zz-consumer-test.md',
  text: "---\n'@crys/graph': minor\n'@crys/io': patch\n---\n\nA change made up by the changeset test.\n",
};

/** Frontmatter of a changeset: package → bump, and its summary. */
function parseChangeset(text: string): { bumps: Record<string, Bump>; summary: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`not a changeset: ${text.slice(0, 80)}`);
  const bumps: Record<string, Bump> = {};
  for (const line of m[1].split('\n')) {
    const entry = /^\s*['"]?([^'":]+)['"]?\s*:\s*(major|minor|patch)\s*$/.exec(line);
    if (!entry) throw new Error(`not a changeset line: ${line}`);
    bumps[entry[1]] = entry[2] as Bump;
  }
  return { bumps, summary: m[2].trim() };
}

function increment(version: string, bump: Bump): string {
  const [major, minor, patch] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

const folders = ['packages', 'apps'].flatMap((top) =>
  readdirSync(join(root, top))
    .filter((d) => existsSync(join(root, top, d, 'package.json')))
    .map((d) => join(top, d)),
);
const before: Record<string, Manifest> = Object.fromEntries(
  folders.map((f) => [f, JSON.parse(readFileSync(join(root, f, 'package.json'), 'utf8')) as Manifest]),
);
const work = freshDir();
const after: Record<string, Manifest> = {};
const changesets: { file: string; bumps: Record<string, Bump>; summary: string }[] = [];
let output = '';

beforeAll(() => {
  for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, f), join(work, f));
  cpSync(join(root, '.changeset'), join(work, '.changeset'), { recursive: true });
  writeFileSync(join(work, '.changeset', ours.file), ours.text);
  for (const f of folders) {
    mkdirSync(join(work, f), { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(root, f, file))) cpSync(join(root, f, file), join(work, f, file));
    }
  }
  for (const file of readdirSync(join(work, '.changeset'))) {
    if (file.endsWith('.md') && file !== 'README.md') {
      changesets.push({ file, ...parseChangeset(readFileSync(join(work, '.changeset', file), 'utf8')) });
    }
  }
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
  const bin = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
  const r = spawnSync(process.execPath, [bin, 'version'], { cwd: work, encoding: 'utf8', timeout: 120_000 });
  output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`changeset version failed:\n${output}`);
  for (const f of folders) after[f] = JSON.parse(readFileSync(join(work, f, 'package.json'), 'utf8'));
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }), 300_000);

describe('changeset version on a copy of the workspace', () => {
  test('consumes every changeset, each naming published packages of the workspace', () => {
    const published = new Set(
      Object.values(before)
        .filter((m) => !m.private)
        .map((m) => m.name),
    );
    for (const c of changesets) for (const name of Object.keys(c.bumps)) expect(published, c.file).toContain(name);
    const left = readdirSync(join(work, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(left, output).toEqual([]);
  });

  test('bumps each package as its changesets say, and a dependent whose range a bump leaves by a patch', () => {
    const byName = Object.fromEntries(Object.values(before).map((m) => [m.name, m]));
    const bump: Record<string, Bump> = {};
    const raise = (name: string, b: Bump) => {
      if (!bump[name] || ORDER.indexOf(b) > ORDER.indexOf(bump[name])) bump[name] = b;
    };
    for (const c of changesets) for (const [name, b] of Object.entries(c.bumps)) raise(name, b);
    // changesets: a dependent is bumped (patch) when a dependency's new version leaves the range it declares
    // (`workspace:^` means ^ of the dependency's current version); repeated until nothing changes.
    for (let changed = true; changed; ) {
      changed = false;
      for (const m of Object.values(before)) {
        if (m.private) continue;
        const deps = { ...m.dependencies, ...m.optionalDependencies };
        for (const [dep, spec] of Object.entries(deps)) {
          if (!bump[dep] || !byName[dep] || !spec.startsWith('workspace:')) continue;
          const next = increment(byName[dep].version, bump[dep]);
          const range = spec.replace(/^workspace:/, '');
          const resolved = range === '*' ? next : /^[~^]$/.test(range) ? `${range}${byName[dep].version}` : range;
          if (!satisfies(next, resolved) && !bump[m.name]) {
            bump[m.name] = 'patch';
            changed = true;
          }
        }
      }
    }
    for (const f of folders) {
      const { name, version } = before[f];
      const expected = before[f].private || !bump[name] ? version : increment(version, bump[name]);
      expect(`${name}@${after[f].version}`).toBe(`${name}@${expected}`);
    }
    expect(bump['@crys/graph']).toBeDefined();
  });

  test('keeps workspace: ranges and the private apps as they are', () => {
    for (const f of folders) {
      expect(after[f].dependencies ?? {}, f).toEqual(before[f].dependencies ?? {});
      if (before[f].private) expect(existsSync(join(work, f, 'CHANGELOG.md')), f).toBe(false);
    }
  });

  test("writes each bumped package's CHANGELOG.md: the new version first, with every summary naming it", () => {
    for (const f of folders) {
      if (before[f].private || after[f].version === before[f].version) continue;
      const log = readFileSync(join(work, f, 'CHANGELOG.md'), 'utf8');
      expect(log.startsWith(`# ${after[f].name}\n\n## ${after[f].version}\n`), f).toBe(true);
      const newest = log.split(/^## /m)[1];
      for (const c of changesets) {
        if (c.bumps[after[f].name]) expect(newest, `${f} ← ${c.file}`).toContain(c.summary.split('\n')[0]);
      }
    }
  });
});
