import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetCsv, writeDatasetCsv } from '@crys/io';
import { REPO, startCli } from './run-cli.js';

/** perov_5 rows with broken ones between them: a CIF without cell lengths, a short row, an unknown element. */
export function screeningCsv(dir: string, n: number): string {
  const rows = [];
  for (const r of readDatasetCsv(readFileSync(join(REPO, 'data/perov_5/val.csv'), 'utf8'))) {
    rows.push({ id: r.id, crystal: r.crystal });
    if (rows.length === n) break;
  }
  const lines = writeDatasetCsv(rows).split(/\n(?=\d+,")/);
  const po =
    'data_Po\n_cell_length_a 3.35\n_cell_length_b 3.35\n_cell_length_c 3.35\n_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\nloop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nPo 0 0 0\n';
  lines.splice(3, 0, 'broken-cif,"data_x\n_cell_angle_alpha 90\n"');
  lines.splice(6, 0, 'short-row');
  lines.splice(8, 0, `polonium,"${po}"`);
  const file = join(dir, 'screen.csv');
  writeFileSync(file, `${lines.join('\n').replace(/\n*$/, '\n')}`);
  return file;
}

/** A `crys worker` child and its stderr so far. */
export interface WorkerProc {
  readonly proc: ChildProcess;
  log(): string;
  exited(): Promise<number | null>;
}

export function startWorker(url: string, extra: string[] = [], lock = 5): WorkerProc {
  const proc = startCli(['worker', '--queue', url, '--lock', String(lock), ...extra]);
  let log = '';
  proc.stderr?.on('data', (d) => {
    log += d.toString();
  });
  const done = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, log: () => log, exited: () => done };
}

export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
