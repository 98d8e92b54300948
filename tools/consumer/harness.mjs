// The consumer harness: packs every published package with pnpm, installs the tarballs with npm into a fresh
// project outside the workspace, and uses them there as a user would (README examples as ESM under Node,
// a TypeScript type-check under bundler and node16 resolution, a browser bundle). `run.mjs` runs it from
// the command line; `consumer.test.ts` runs it in the default suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** esbuild for the browser bundle (not a workspace dependency; the version the workspace's vite resolves). */
const ESBUILD_VERSION = '0.28.2';

/** Debian's chromium (as the demo's browser test), which runs the browser bundle. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Runs a command, returning its stdout; on failure throws with the command, its exit code and its output. */
export function run(cmd, args, { cwd, timeout = 600_000, env } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    timeout,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) {
    const how = r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`;
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${how}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  return r.stdout;
}

/** The workspace's catalog (pnpm-workspace.yaml `catalog:`), as name → version. */
export function readCatalog() {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = text.split(/^catalog:\s*$/m)[1] ?? '';
  const catalog = {};
  for (const line of block.split('\n')) {
    if (/^\S/.test(line)) break;
    const m = /^\s+'?([^':]+)'?:\s*(\S+)/.exec(line);
    if (m) catalog[m[1]] = m[2];
  }
  return catalog;
}

/** The packages under packages/* that are published (not private), in dependency order of the folder names. */
export function publishedPackages() {
  return readdirSync(join(root, 'packages'))
    .map((dir) => ({ dir: join(root, 'packages', dir), folder: dir }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map((p) => ({ ...p, manifest: readJson(join(p.dir, 'package.json')) }))
    .filter((p) => !p.manifest.private);
}

/** pnpm as a command: the one on PATH when it is the root's `packageManager` version, else that version via npx. */
function pnpmCommand() {
  const wanted = readJson(join(root, 'package.json')).packageManager.replace(/^pnpm@/, '');
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (onPath.status === 0 && onPath.stdout.trim() === wanted) return ['pnpm', []];
  return ['npx', ['-y', `pnpm@${wanted}`]];
}

/** Whether `version` satisfies `range`, for the ranges pnpm writes for `workspace:` (`^x.y.z`, `~x.y.z`, `x.y.z`). */
export function satisfies(version, range) {
  const v = version.split('.').map(Number);
  const m = /^([~^]?)(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) return false;
  const r = [Number(m[2]), Number(m[3]), Number(m[4])];
  const cmp = v[0] - r[0] || v[1] - r[1] || v[2] - r[2];
  if (cmp < 0) return false;
  if (m[1] === '') return cmp === 0;
  if (m[1] === '~') return v[0] === r[0] && v[1] === r[1];
  if (r[0] > 0) return v[0] === r[0];
  if (r[1] > 0) return v[0] === 0 && v[1] === r[1];
  return v[0] === 0 && v[1] === 0 && v[2] === r[2];
}

/** Every path an `exports` map (or `main` / `types`) points at, with `*` patterns kept. */
function exportTargets(manifest) {
  const out = [];
  const walk = (node) => {
    if (typeof node === 'string') out.push(node);
    else if (node && typeof node === 'object') for (const v of Object.values(node)) walk(v);
  };
  walk(manifest.exports);
  for (const key of ['main', 'types']) if (manifest[key]) out.push(manifest[key]);
  return out.map((t) => t.replace(/^\.\//, ''));
}

/**
 * Checks one packed tarball against its source package: no `workspace:` or `catalog:` ranges left, every
 * `@crys` range satisfied by the sibling's version, every export target present, every `dist` module built
 * from a source file that exists (no stale build output), and, for `@crys/model`, every shipped model.
 * Returns a list of problems (empty when the tarball is sound).
 */
export function checkTarball({ tarball, manifest: source, dir }, versions) {
  const problems = [];
  const files = run('tar', ['tzf', tarball], { cwd: dirname(tarball) })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const has = new Set(files);
  const packed = JSON.parse(run('tar', ['xzOf', tarball, 'package/package.json'], { cwd: dirname(tarball) }));
  const name = packed.name;
  if (packed.version !== source.version) problems.push(`${name}: packed version ${packed.version} ≠ ${source.version}`);
  for (const field of DEP_FIELDS) {
    for (const [dep, range] of Object.entries(packed[field] ?? {})) {
      if (/^(workspace|catalog):/.test(range)) problems.push(`${name}: ${field}.${dep} is still '${range}'`);
      else if (field !== 'devDependencies' && dep in versions && !satisfies(versions[dep], range)) {
        problems.push(`${name}: ${field}.${dep} '${range}' does not accept the packed ${dep}@${versions[dep]}`);
      }
    }
  }
  for (const target of exportTargets(packed)) {
    if (target.includes('*')) {
      const [prefix, suffix] = target.split('*');
      if (!files.some((f) => f.startsWith(prefix) && f.endsWith(suffix))) {
        problems.push(`${name}: export pattern ./${target} matches no file`);
      }
    } else if (!has.has(target)) problems.push(`${name}: export target ./${target} is not in the tarball`);
  }
  for (const f of files) {
    const m = /^dist\/(.+)\.js$/.exec(f);
    if (m && !has.has(`src/${m[1]}.ts`)) {
      problems.push(`${name}: dist/${m[1]}.js has no src/${m[1]}.ts (stale build output: remove dist and rebuild)`);
    }
    if (/\.test\.ts$|tsbuildinfo$|__snapshots__/.test(f)) problems.push(`${name}: ships ${f}`);
  }
  if (existsSync(join(dir, 'models'))) {
    for (const model of readdirSync(join(dir, 'models'))) {
      if (!has.has(`models/${model}/model.json`)) problems.push(`${name}: models/${model}/model.json is not shipped`);
    }
  }
  for (const f of ['README.md', 'package.json']) if (!has.has(f)) problems.push(`${name}: ${f} is not in the tarball`);
  return problems;
}

/** Packs every published package into `outDir` with `pnpm pack`; returns them with their tarball paths. */
export function packAll(outDir) {
  mkdirSync(outDir, { recursive: true });
  const [pnpm, pre] = pnpmCommand();
  const packages = publishedPackages();
  for (const p of packages) {
    const before = new Set(readdirSync(outDir));
    run(pnpm, [...pre, 'pack', '--pack-destination', outDir], { cwd: p.dir });
    const made = readdirSync(outDir).filter((f) => f.endsWith('.tgz') && !before.has(f));
    if (made.length !== 1) throw new Error(`pnpm pack in ${p.dir} made ${made.length} tarballs`);
    p.tarball = join(outDir, made[0]);
  }
  return packages;
}

/** The README's example: its first ```ts block. */
export function readmeExample(dir) {
  const text = readFileSync(join(dir, 'README.md'), 'utf8');
  const m = /```ts\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error(`${join(dir, 'README.md')}: no \`\`\`ts example`);
  return m[1];
}

/** Bare module names an example imports (`@crys/model/node` → `@crys/model`), type-only imports included. */
export function importedPackages(source) {
  const names = new Set();
  for (const m of source.matchAll(/^\s*import\s[^'"]*?from\s+'([^'.][^']*)'/gm)) {
    const parts = m[1].split('/');
    names.add(m[1].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return [...names];
}

/**
 * Checks a README's install-from-tarballs command: it must name the tarball of every `@crys` package the
 * example imports and of every `@crys` package those depend on, and every other package the example imports.
 */
export function checkReadmeInstall(p, byName) {
  const text = readFileSync(join(p.dir, 'README.md'), 'utf8');
  const name = p.manifest.name;
  const line = text.split('\n').find((l) => /^npm install .*crys-.*\.tgz/.test(l));
  if (!line) return [`${name}: README has no \`npm install …crys-….tgz\` line`];
  const named = new Set();
  for (const m of line.matchAll(/crys-(?:\{([^}]+)\}|([a-z0-9]+))-\*\.tgz/g)) {
    for (const n of (m[1] ?? m[2]).split(',')) named.add(`@crys/${n}`);
  }
  const others = new Set(line.split(/\s+/).filter((w) => /^@?[a-z]/.test(w) && !['npm', 'install'].includes(w)));
  const problems = [];
  const need = new Set();
  const visit = (n) => {
    if (need.has(n) || !byName[n]) return;
    need.add(n);
    for (const d of Object.keys(byName[n].manifest.dependencies ?? {})) visit(d);
  };
  visit(name);
  const imported = importedPackages(readmeExample(p.dir));
  for (const n of imported) visit(n);
  for (const n of need) if (!named.has(n)) problems.push(`${name}: README's npm install line misses ${n}'s tarball`);
  for (const n of imported) {
    if (!byName[n] && !others.has(n)) problems.push(`${name}: README's npm install line misses ${n}`);
  }
  const add = /^pnpm add (.*)$/m.exec(text);
  if (add) {
    const listed = new Set(add[1].split(/\s+/));
    for (const n of imported) if (!listed.has(n)) problems.push(`${name}: README's \`pnpm add\` misses ${n}`);
  }
  return problems;
}

/**
 * Creates a fresh npm project in `appDir` and installs every tarball in one `npm install` (so their
 * dependencies on each other resolve to the tarballs, not the registry), the tfjs peer, and the tools.
 */
export function installConsumer(appDir, packages) {
  mkdirSync(appDir, { recursive: true });
  writeFileSync(
    join(appDir, 'package.json'),
    `${JSON.stringify({ name: 'crys-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  const catalog = readCatalog();
  const peers = new Set();
  for (const p of packages) for (const peer of Object.keys(p.manifest.peerDependencies ?? {})) peers.add(peer);
  const npmArgs = ['--no-audit', '--no-fund', '--loglevel=error'];
  run(
    'npm',
    ['install', ...npmArgs, ...packages.map((p) => p.tarball), ...[...peers].map((n) => `${n}@${catalog[n]}`)],
    {
      cwd: appDir,
    },
  );
  run(
    'npm',
    [
      'install',
      '--save-dev',
      ...npmArgs,
      `typescript@${catalog.typescript}`,
      `@types/node@${catalog['@types/node']}`,
      `esbuild@${ESBUILD_VERSION}`,
    ],
    { cwd: appDir },
  );
  const lock = readJson(join(appDir, 'package-lock.json'));
  const problems = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const m = /(?:^|\/)node_modules\/(@crys\/[^/]+)$/.exec(path);
    if (m && !(entry.resolved ?? '').startsWith('file:')) problems.push(`${path} resolved to ${entry.resolved}`);
    if (m && path !== `node_modules/${m[1]}`) problems.push(`${m[1]} installed twice (${path})`);
  }
  if (problems.length) throw new Error(`npm install did not use the tarballs:\n${problems.join('\n')}`);
}

function transpile(appDir, source) {
  const ts = createRequire(join(appDir, 'package.json'))('typescript');
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/**
 * Runs a package's README example as ESM under Node in the consumer project, and the same example inside the
 * workspace (against the built package); returns both outputs.
 */
export function runExample(appDir, p) {
  const source = readmeExample(p.dir);
  const js = transpile(appDir, source);
  const file = join(appDir, 'examples', `${p.folder}.mjs`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, js);
  const installed = run(process.execPath, [file], { cwd: appDir, timeout: 300_000 });
  const scratch = mkdtempSync(join(p.dir, '.crys-tmp-consumer-'));
  try {
    writeFileSync(join(scratch, 'example.mjs'), js);
    const workspace = run(process.execPath, [join(scratch, 'example.mjs')], { cwd: p.dir, timeout: 300_000 });
    return { installed, workspace };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Loads every shipped model from the installed `@crys/model` with `loadShippedModel`; returns the report line. */
export function loadShippedModels(appDir) {
  const file = join(appDir, 'shipped-models.mjs');
  writeFileSync(
    file,
    [
      "import { SHIPPED_MODEL_NAMES } from '@crys/model';",
      "import { loadShippedModel, shippedModelPath } from '@crys/model/node';",
      'for (const name of SHIPPED_MODEL_NAMES) {',
      '  const model = loadShippedModel(name);',
      "  if (!shippedModelPath(name).includes('node_modules')) throw new Error(name + ' is not read from node_modules');",
      '  console.log(name, model.weights.size);',
      '}',
      '',
    ].join('\n'),
  );
  return run(process.execPath, [file], { cwd: appDir, timeout: 300_000 });
}

/**
 * Type-checks every README example in the consumer, strict, under `moduleResolution: bundler` without
 * skipLibCheck (so the shipped declarations are checked too) and under `node16`. tfjs's own declarations do not
 * pass without skipLibCheck (`Long` undeclared, tfjs-layers' config types), so errors inside
 * `node_modules/@tensorflow/` are the only ones let through.
 */
export function typecheckConsumer(appDir, packages) {
  const srcDir = join(appDir, 'src');
  mkdirSync(srcDir, { recursive: true });
  for (const p of packages) writeFileSync(join(srcDir, `${p.folder}.ts`), readmeExample(p.dir));
  const base = { target: 'ES2022', strict: true, noEmit: true, types: ['node'] };
  const configs = {
    'tsconfig.bundler.json': { ...base, skipLibCheck: false, module: 'preserve', moduleResolution: 'bundler' },
    'tsconfig.node16.json': { ...base, skipLibCheck: true, module: 'node16', moduleResolution: 'node16' },
  };
  const tsc = join(appDir, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [name, compilerOptions] of Object.entries(configs)) {
    writeFileSync(join(appDir, name), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
    const r = spawnSync(process.execPath, [tsc, '-p', name], { cwd: appDir, encoding: 'utf8', timeout: 300_000 });
    const errors = r.stdout.split('\n').filter((l) => /^\S.*error TS\d+/.test(l));
    const ours = errors.filter((l) => !l.startsWith('node_modules/@tensorflow/'));
    if (r.status !== 0 && (ours.length > 0 || errors.length === 0)) {
      throw new Error(`tsc -p ${name} in the consumer failed:\n${ours.length ? ours.join('\n') : r.stdout + r.stderr}`);
    }
  }
  return Object.keys(configs);
}

/**
 * Bundles the main entries for the browser with esbuild (`platform: browser`: a Node built-in that is reached
 * fails the build) and runs the bundle in headless chromium; returns the page's result and the bundle's size.
 */
export function bundleForBrowser(appDir) {
  const entry = join(appDir, 'browser', 'entry.ts');
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(
    entry,
    [
      "import { matchStructures, FIELD_MATCHER_OPTIONS } from '@crys/eval';",
      "import { radiusGraph } from '@crys/graph';",
      "import { readCif, readPoscar, writeCif } from '@crys/io';",
      "import { volume } from '@crys/lattice';",
      "import { crystalActions } from '@crys/actions';",
      "import { Egnn } from '@crys/egnn';",
      "import { SHIPPED_MODEL_NAMES, shippedModelUrl } from '@crys/model';",
      '',
      "const poscar = 'CsCl\\n1.0\\n4.12 0 0\\n0 4.12 0\\n0 0 4.12\\nCs Cl\\n1 1\\nDirect\\n0 0 0\\n0.5 0.5 0.5\\n';",
      'const [cscl] = readPoscar(poscar).crystals;',
      'const [again] = readCif(writeCif(cscl)).crystals;',
      'const graph = radiusGraph(again, { cutoff: 4.2 });',
      'const action = crystalActions(again, radiusGraph(again, { cutoff: 4.2, vectors: true }), new Float64Array(2 * graph.src.length));',
      'const result = {',
      '  volume: volume(again.lattice).toFixed(2),',
      '  edges: graph.src.length,',
      '  match: matchStructures(cscl, again, FIELD_MATCHER_OPTIONS).match,',
      '  deformation: Array.from(action.deformation),',
      "  egnn: typeof Egnn === 'function',",
      "  model: shippedModelUrl(SHIPPED_MODEL_NAMES[0]).href.endsWith('/models/perov_5/model.json'),",
      '};',
      "document.body.textContent = 'crys-result:' + JSON.stringify(result);",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dirname(entry), 'index.html'),
    [
      '<!doctype html><meta charset="utf-8"><title>crys consumer</title><body>pending</body>',
      "<script>addEventListener('error', (e) => { document.body.textContent = 'crys-error:' + e.message; });</script>",
      '<script type="module" src="bundle.js"></script>',
      '',
    ].join('\n'),
  );
  const out = join(appDir, 'browser', 'bundle.js');
  const esbuild = join(appDir, 'node_modules', 'esbuild', 'bin', 'esbuild');
  run(
    esbuild,
    [
      entry,
      '--bundle',
      '--platform=browser',
      '--format=esm',
      '--target=es2022',
      '--log-level=error',
      `--outfile=${out}`,
    ],
    { cwd: appDir },
  );
  const bytes = readFileSync(out).length;
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true') throw new Error(`consumer: ${CHROMIUM} is missing in CI, the bundle cannot be run`);
    return { output: `not run: no ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`, bytes };
  }
  // Module scripts run before the load event, after which --dump-dom prints the page.
  const page = `file://${join(dirname(out), 'index.html')}`;
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files', '--dump-dom'];
  const dom = run(CHROMIUM, [...flags, page], { cwd: appDir, timeout: 120_000 });
  const m = /crys-result:(\{.*?\})</.exec(dom);
  if (!m) throw new Error(`consumer: the browser bundle did not run in ${CHROMIUM}; the page was:\n${dom}`);
  return { output: `${m[1]}\n`, bytes, result: JSON.parse(m[1]) };
}

/** A fresh temporary folder outside the workspace. */
export function freshDir() {
  return mkdtempSync(join(tmpdir(), 'crys-consumer-'));
}
