import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { assertCanWrite, writeAtomic } from '../files.js';
import { FORMAT_NAMES, formatCrystals, formatFromName, loadCrystals, resolveFormat } from '../load.js';
import type { CliContext } from '../main.js';
import { assertModelInput } from '../model-input.js';
import { addJobOptions } from '../jobs/options.js';
import type { JobFlags } from '../jobs/run.js';
import { backendOption, intOption, numberOption, samplerOptions, strictOption, threadsOption } from '../options.js';
import { fixed, formatTable } from '../table.js';
import { paint } from '../term.js';

interface RelaxOpts extends Partial<JobFlags> {
  all?: boolean;
  model?: string;
  steps?: number;
  startLevel: number;
  refineSteps?: number;
  correctorSteps?: number;
  correctorScale?: number;
  index: number;
  format?: string;
  out?: string;
  /** A path, or false for `--no-trajectory`. */
  trajectory?: string | false;
  every?: number;
  backend: 'wasm' | 'cpu';
  threads: number | 'auto';
  strict?: boolean;
  json?: boolean;
}

/** `stem` of an input path for default output names (`stdin` for -). */
export function stemOf(file: string): string {
  if (file === '-') return 'stdin';
  const base = basename(file);
  return base.slice(0, base.length - extname(base).length) || base;
}

export function registerRelax(program: Command, ctx: CliContext): void {
  addJobOptions(program.command('relax'))
    .summary("apply a model's learned actions step by step to a crystal")
    .description(
      'Relaxes one crystal with a model: at every step the network predicts a symmetric deformation of the ' +
        'lattice and a displacement of every atom and applies them (annealed from --start-level to 0). Prints ' +
        "each step's lattice parameters and RMS displacement, writes the final structure (--out) and the whole " +
        'path as extended XYZ (--trajectory). Without --model, the shipped denoising model that knows the ' +
        "crystal's elements is used (perov_5-denoise, carbon_24-denoise).",
    )
    .argument('<file>', 'crystal file (- reads stdin), or a folder of them: every file relaxed, a CSV written')
    .option(
      '--all',
      'relax every crystal of the file (a dataset CSV row by row) and write one CSV with an error column',
    )
    .option('--model <name|path>', 'shipped model name or a model.json / `crys train --out` folder')
    .option('--steps <n>', "number of action steps (default: the model's)", intOption(1, 100_000))
    .option('--start-level <t>', 'noise level the input is assumed to be at, in (0, 1]', numberOption('positive'), 0.5)
    .addOption(samplerOptions()[0])
    .addOption(samplerOptions()[1])
    .addOption(samplerOptions()[2])
    .option('--index <n>', 'which crystal of a multi-crystal file (1-based)', intOption(1), 1)
    .option('--format <id>', `input format when the name does not say: ${FORMAT_NAMES}`)
    .option('-o, --out <file>', 'final structure (format from the name; default <input>-relaxed.cif; - for stdout)')
    .option('--trajectory <file>', 'every step as extended XYZ (default <input>-trajectory.xyz)')
    .option('--no-trajectory', 'do not write the trajectory')
    .option('--every <n>', 'print every n-th step (default: about 20 lines)', intOption(1))
    .addOption(backendOption())
    .addOption(threadsOption())
    .addOption(strictOption())
    .option('--json', 'print the steps and output paths as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys relax perturbed.cif\n  $ crys relax data/perov_5/val.csv --index 7 --steps 50 --out relaxed.vasp --trajectory path.xyz',
    )
    .action(async (file: string, opts: RelaxOpts) => {
      const { term } = ctx;
      if (opts.startLevel > 1) {
        throw new UsageError(`--start-level must be in (0, 1], got ${opts.startLevel}`);
      }
      const { isDirectory } = await import('../jobs/rows.js');
      if (opts.all || opts.queue !== undefined || opts.shardSize !== undefined || isDirectory(file)) {
        const { relaxJob } = await import('../jobs/batch.js');
        const job = { ...opts, out: opts.out ?? `${stemOf(file)}-relaxed.csv`, retries: opts.retries ?? 2 };
        const { steps, startLevel, refineSteps, correctorSteps, correctorScale } = opts;
        return relaxJob(ctx, file, job, { steps, startLevel, refineSteps, correctorSteps, correctorScale });
      }
      const loaded = loadCrystals(file, { format: opts.format, index: opts.index, limit: 1 });
      for (const w of loaded.warnings) term.err(`${paint(term.colorErr, 'yellow', 'warning:')} ${w}`);
      const item = loaded.crystals[0];
      assertModelInput(item.crystal, item.label);
      const out = opts.out ?? `${stemOf(file)}-relaxed.cif`;
      const outFormat = out === '-' ? 'cif' : (formatFromName(out) ?? resolveFormat('cif'));
      const trajectory = opts.trajectory === false ? null : (opts.trajectory ?? `${stemOf(file)}-trajectory.xyz`);
      assertCanWrite(out, '--out');
      if (trajectory !== null) assertCanWrite(trajectory, '--trajectory');
      const rt = await import('../model-runtime.js');
      const { relax } = await import('@crys/model');
      await rt.startBackend(opts.backend, opts.threads);
      const { model, source } = rt.resolveModel(opts.model, 'denoise', item.crystal.atomicNumbers);
      rt.refusePropertyModel(model, source, 'crys relax');
      assertModelInput(item.crystal, item.label, { maxAtoms: model.config.maxAtoms, model: source });
      const dc = await import('../domain-check.js');
      dc.checkDomain(term, model, source, [{ ...item.crystal, label: item.label }], opts.strict);
      const t0 = performance.now();
      const result = relax(model, item.crystal, {
        steps: opts.steps,
        startLevel: opts.startLevel,
        trajectory: trajectory !== null,
        refineSteps: opts.refineSteps,
        correctorSteps: opts.correctorSteps,
        correctorScale: opts.correctorScale,
      });
      const seconds = (performance.now() - t0) / 1000;
      const checks = dc.outputChecks(model, source, result.crystal);
      writeAtomic(
        out,
        formatCrystals(
          [{ crystal: result.crystal, label: out, id: item.id ? `${item.id}-relaxed` : undefined }],
          outFormat,
        ),
        term.stdout,
      );
      if (trajectory !== null) {
        writeAtomic(
          trajectory,
          formatCrystals(
            result.trajectory.map((crystal, i) => ({ crystal, label: `step ${i}` })),
            'extxyz',
          ),
        );
      }
      if (opts.json) {
        term.out(
          JSON.stringify({ source: item.label, model: source, seconds, out, trajectory, checks, steps: result.steps }),
        );
        return;
      }
      if (out === '-') return;
      const n = result.steps.length;
      const every = opts.every ?? Math.max(1, Math.ceil(n / 20));
      const rows = result.steps
        .map((s, i) => ({ s, i }))
        .filter(({ i }) => i % every === 0 || i === n - 1)
        .map(({ s, i }) => [
          String(i + 1),
          fixed(s.level, 3),
          fixed(s.a, 4),
          fixed(s.b, 4),
          fixed(s.c, 4),
          fixed(s.alpha, 2),
          fixed(s.beta, 2),
          fixed(s.gamma, 2),
          fixed(s.displacement, 4),
          fixed(s.strain, 4),
        ]);
      term.out(paint(term.color, 'bold', `${item.label}: ${n} steps of model ${source} in ${fixed(seconds, 2)} s`));
      term.out(formatTable(['step', 't', 'a', 'b', 'c', 'α', 'β', 'γ', 'disp Å', 'strain'], rows));
      term.out(
        `final structure: ${dc.checksLine(checks)}; ${checks.ok ? 'checks ok' : paint(term.color, 'red', `checks FAIL: ${checks.problems.join('; ')}`)}`,
      );
      term.out(
        trajectory === null
          ? `wrote ${out} (final structure)`
          : `wrote ${out} (final structure) and ${trajectory} (${result.trajectory.length} frames, extended XYZ)`,
      );
    });
}
