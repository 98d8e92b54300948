// How the benchmarks and tools find their Python peers (reference scripts kept outside this repository) and the
// interpreter that runs them. Nothing here is a path on one machine:
//   peers folder  `--peers DIR` on the command line, else the CRYS_PEERS_DIR environment variable; without
//                 either, the peers that live there are skipped with a message saying so
//   python        the PYTHON environment variable, else `python3` on PATH
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The Python interpreter: `$PYTHON`, else `python3` from PATH. */
export const PYTHON = process.env.PYTHON || 'python3';

/** The peers folder from `--peers DIR` or CRYS_PEERS_DIR, or undefined when neither names one. */
export function peersDir(argv = process.argv) {
  const i = argv.indexOf('--peers');
  const dir = i >= 0 ? argv[i + 1] : process.env.CRYS_PEERS_DIR;
  return dir ? resolve(dir) : undefined;
}

/** `{ path }` of a script in the peers folder, or `{ skipped }` saying what to set. */
export function peerScript(name, argv = process.argv) {
  const dir = peersDir(argv);
  if (!dir) return { skipped: `${name} skipped: set CRYS_PEERS_DIR (or pass --peers DIR) to the peers folder` };
  const path = join(dir, name);
  if (!existsSync(path)) return { skipped: `${name} skipped: not in the peers folder ${dir}` };
  return { path };
}

/** Undefined when PYTHON imports every module (e.g. `['ase', 'pymatgen.core']`), else why not. */
export function pythonMissing(modules) {
  const r = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
  if (r.error) return `${PYTHON} not found (set PYTHON to a python3 that has ${modules.join(', ')})`;
  if (r.status === 0) return undefined;
  const debian = [...new Set(modules.map((m) => `python3-${m.split('.')[0]}`))].join(' ');
  return `${PYTHON} cannot import ${modules.join(', ')} (on Debian: apt-get install ${debian})`;
}

/** Debian's libjemalloc2 shared library, or undefined when it is not installed (`apt-get install libjemalloc2`). */
export function jemallocPath() {
  return ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'].find((p) =>
    existsSync(p),
  );
}
