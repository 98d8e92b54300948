import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { repoRoot } from '../repo.js';
import { formatTable } from '../table.js';
import { paint } from '../term.js';

/** A Python reference tool a package benchmark may run beside ours. */
interface Peer {
  readonly module: string;
  readonly what: string;
}

const PEERS: readonly Peer[] = [
  { module: 'ase', what: 'neighbour lists, CIF parsing' },
  { module: 'pymatgen', what: 'neighbour lists, CIF parsing, StructureMatcher' },
  { module: 'torch', what: 'EGNN forward / training step' },
  { module: 'spglib', what: 'space groups' },
];

/** The peers' interpreter: `$PYTHON`, else `python3` on PATH (the benchmarks find it the same way). */
export function pythonCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.PYTHON || 'python3';
}

/**
 * Which peers are installed for the peers' interpreter ({@link pythonCommand}). Looks the modules up without
 * importing them (pymatgen and torch take seconds to import).
 */
export function peerStatus(python = pythonCommand()): { module: string; what: string; version: string | undefined }[] {
  const none = PEERS.map((p) => ({ ...p, version: undefined }));
  const script = [
    'import importlib.util, importlib.metadata, json, sys',
    'out = {}',
    'for m in sys.argv[1:]:',
    '    try:',
    '        out[m] = importlib.metadata.version(m) if importlib.util.find_spec(m) else None',
    '    except Exception:',
    '        out[m] = None',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, ...PEERS.map((p) => p.module)], { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return none;
  const found = JSON.parse(r.stdout) as Record<string, string | null>;
  return PEERS.map((p) => ({ ...p, version: found[p.module] ?? undefined }));
}

/**
 * The environment of a package's benchmark run: the CLI's own, with colour switched off (NO_COLOR=1, no
 * FORCE_COLOR) unless the CLI colours its stdout, so vitest's tables carry no ANSI codes into a pipe or a file.
 */
export function benchEnv(
  color: boolean,
  env: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env, ...extra };
  if (!color) {
    delete out.FORCE_COLOR;
    out.NO_COLOR = '1';
  }
  return out;
}

/** Workspace packages that have a `bench` script: [name, folder]. */
export function benchPackages(root: string): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  for (const group of ['packages', 'apps']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base).sort()) {
      const file = join(base, d, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; scripts?: Record<string, string> };
      if (pkg.scripts?.bench) out.push({ name: pkg.name ?? d, dir: join(base, d) });
    }
  }
  return out;
}

export function registerBench(program: Command, ctx: CliContext): void {
  program
    .command('bench')
    .summary("run the packages' benchmarks beside the Python peers")
    .description(
      "Runs each package's benchmark (its `bench` script: our code and, when python has the module, " +
        'the Python peer on the same run, with the ratio). Peers that are not installed are skipped and listed. ' +
        'Python is $PYTHON, else python3 on PATH; the peer scripts kept outside the repository are found in ' +
        '--peers DIR or $CRYS_PEERS_DIR. Build first (`pnpm build`). Benchmarks take minutes; --list shows what ' +
        'would run.',
    )
    .argument('[packages...]', 'package names or folders, e.g. graph io (default: every package with a bench)')
    .option('--list', 'list the benchmarks and which peers are installed, run nothing')
    .option('--peers <dir>', 'folder of the peer scripts (default: $CRYS_PEERS_DIR)')
    .option('--json', 'print the list as JSON (with --list)')
    .addHelpText('after', '\nExamples:\n  $ crys bench --list\n  $ crys bench graph io')
    .action((packages: string[], opts: { list?: boolean; json?: boolean; peers?: string }) => {
      const { term } = ctx;
      const peersDir = opts.peers ?? process.env.CRYS_PEERS_DIR;
      if (opts.peers !== undefined && !(existsSync(opts.peers) && statSync(opts.peers).isDirectory())) {
        throw new UsageError(`--peers ${opts.peers} is not a folder`, 'give the folder that holds the peer scripts');
      }
      const root = repoRoot();
      if (!root) {
        throw new CliFailure(
          'crys bench needs the crys repository (its packages and data), and this CLI runs outside it',
          'run it from a clone: `node apps/cli/dist/bin.js bench`',
        );
      }
      const all = benchPackages(root);
      const selected = packages.length
        ? packages.map((p) => {
            const hit = all.find((b) => b.name === p || b.name === `@crys/${p}` || b.dir.endsWith(`/${p}`));
            if (!hit) {
              throw new UsageError(
                `no benchmark named '${p}'`,
                `choose from ${all.map((b) => b.name.replace('@crys/', '')).join(', ')}`,
              );
            }
            return hit;
          })
        : all;
      const peers = peerStatus();
      if (opts.list && opts.json) {
        term.out(
          JSON.stringify({
            benchmarks: selected.map((b) => b.name),
            python: pythonCommand(),
            peersDir: peersDir ? resolve(peersDir) : null,
            peers: peers.map((p) => ({
              module: p.module,
              installed: p.version !== undefined,
              version: p.version ?? null,
            })),
          }),
        );
        return;
      }
      const c = term.color;
      term.out(
        formatTable(
          [`peer (${pythonCommand()})`, 'status', 'used for'],
          peers.map((p) => [
            p.module,
            p.version ? paint(c, 'green', p.version) : paint(c, 'yellow', 'not installed: skipped'),
            p.what,
          ]),
          ['left', 'left', 'left'],
        ),
      );
      if (peers.some((p) => !p.version)) {
        term.out(
          `Missing peers are skipped; install them with: apt-get install -y ${peers
            .filter((p) => !p.version)
            .map((p) => `python3-${p.module}`)
            .join(' ')}`,
        );
      }
      term.out(
        peersDir
          ? `peer scripts: ${resolve(peersDir)}`
          : 'peer scripts: none (set CRYS_PEERS_DIR or pass --peers DIR; the benchmarks that need them skip them)',
      );
      term.out();
      term.out(`benchmarks: ${selected.map((b) => b.name).join(', ') || '(none)'}`);
      if (opts.list) return;
      const peersOut = mkdtempSync(join(tmpdir(), 'crys-peers-'));
      const failed: string[] = [];
      for (const b of selected) {
        term.out();
        term.out(paint(c, 'bold', `── ${b.name} ──`));
        const r = spawnSync('npm', ['run', '--silent', 'bench'], {
          cwd: b.dir,
          stdio: 'inherit',
          env: benchEnv(c, process.env, {
            PEERS_OUT: process.env.PEERS_OUT ?? peersOut,
            ...(peersDir ? { CRYS_PEERS_DIR: resolve(peersDir) } : {}),
          }),
        });
        if (r.status !== 0) failed.push(b.name);
      }
      if (failed.length) {
        throw new CliFailure(
          `benchmarks failed: ${failed.join(', ')}`,
          'their output above says why; run `pnpm build` first',
        );
      }
    });
}
