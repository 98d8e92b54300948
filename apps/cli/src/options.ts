import { InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

/** Commander parser for an integer option within [min, max]. The message says what arrived. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, got '${value}'.`,
      );
    }
    return n;
  };
}

/** Commander parser for a finite number; `positive` also refuses 0 and negatives. */
export function numberOption(kind: 'positive' | 'nonnegative' | 'any' = 'any'): (value: string) => number {
  return (value) => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (kind === 'any' || (kind === 'positive' ? n > 0 : n >= 0));
    if (!ok) {
      const what = kind === 'any' ? 'a finite number' : kind === 'positive' ? 'a positive number' : 'a number ≥ 0';
      throw new InvalidArgumentError(`expected ${what}, got '${value}'.`);
    }
    return n;
  };
}

/** Commander parser for a number in [0, 1) (a decay or a fraction). */
export function unitIntervalOption(): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(value.trim() !== '' && n >= 0 && n < 1)) {
      throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'.`);
    }
    return n;
  };
}

/** Commander parser for one of a fixed set of words. */
export function choiceOption<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${value}'.`);
    }
    return value as T;
  };
}

/** `--backend wasm|cpu` of the commands that run a model (default wasm, which falls back to cpu). */
export function backendOption(): Option {
  return new Option('--backend <name>', 'tfjs backend: wasm (falls back to cpu when it cannot start) or cpu')
    .argParser(choiceOption(['wasm', 'cpu'] as const))
    .default('wasm');
}

/** The default of `--threads`: this machine's cores, at most 4 (the kernels gain little beyond). */
export function autoThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** `--threads n|auto` of the commands that run a model: kernel threads on wasm (results do not depend on it). */
export function threadsOption(): Option {
  return new Option(
    '--threads <n>',
    "threads of the wasm kernels, 1 to 64, or auto (this machine's cores, at most 4); results are the same for any count",
  )
    .argParser((value: string) => (value === 'auto' ? 'auto' : intOption(1, 64)(value)))
    .default('auto');
}

/** `--eta` of `predict` and `eval`: the sampler's stochasticity, in [0, 1]. */
export function etaOption(): Option {
  return new Option('--eta <x>', "sampler stochasticity (DDIM's η), 0 (deterministic, default) to 1").argParser(
    (value: string) => {
      const n = numberOption('nonnegative')(value);
      if (n > 1) throw new InvalidArgumentError(`expected a number from 0 to 1, got '${value}'.`);
      return n;
    },
  );
}

/** The sampler options beside `--steps` of `predict`, `relax` and `eval` (defaults: the model file's). */
export function samplerOptions(): Option[] {
  return [
    new Option(
      '--refine-steps <n>',
      "polishing steps at level 0 after the schedule (default: the model's, else 0)",
    ).argParser(intOption(0, 100_000)),
    new Option(
      '--corrector-steps <n>',
      "Langevin corrector steps after each step, a predictor–corrector sampler (default: the model's, else 0)",
    ).argParser(intOption(0, 100)),
    new Option('--corrector-scale <x>', "corrector step size, in (0, 1] (default: the model's, else 0.1)").argParser(
      (value: string) => {
        const n = numberOption('positive')(value);
        if (n > 1) throw new InvalidArgumentError(`expected a number in (0, 1], got '${value}'.`);
        return n;
      },
    ),
  ];
}

/** `--fixed-lattice` of `predict` and `eval`: an ablation that applies the atom actions only. */
/** `--lattice-model`: the lattice of every prediction derived again by a lattice-recovery model. */
export function latticeModelOption(): Option {
  return new Option(
    '--lattice-model <name|path>',
    'derive each predicted lattice again with a lattice-recovery model (e.g. perov_5-lattice) from the predicted ' +
      'coordinates: a two-model pipeline, reported as such',
  );
}

/** `--rank-by` of `predict` and `eval`: choose among the `--candidates` samples with a property model. */
export function rankByOption(): Option {
  return new Option(
    '--rank-by <name|path>',
    'with --candidates: keep the sample a property model (e.g. perov_5-energy, a heat of formation) predicts ' +
      'lowest, instead of the most symmetric one: a selection that does not use the truth, reported as such',
  );
}

export function fixedLatticeOption(): Option {
  return new Option('--fixed-lattice', 'apply the atom actions only and keep the starting lattice (an ablation)');
}

/** `--strict` of `predict`, `relax` and `eval`: refuse inputs outside the model's domain instead of warning. */
export function strictOption(): Option {
  return new Option(
    '--strict',
    "refuse inputs outside the model's domain (the elements, atoms per cell and volume per atom it was trained on) instead of warning",
  );
}

/** `--candidates k` of `eval` and `predict --data` runs its k seeds in this process: refused with sharded jobs. */
export function refuseCandidatesWithJobs(
  candidates: number | undefined,
  flags: { queue?: string; shardSize?: number; parallel?: number | 'auto' },
) {
  if (candidates !== undefined && (flags.queue !== undefined || flags.shardSize !== undefined)) {
    throw new UsageError(
      '--candidates runs in this process; it does not combine with --queue or --shard-size',
      'drop --queue / --shard-size, or run one job per --seed',
    );
  }
  if (candidates !== undefined && typeof flags.parallel === 'number' && flags.parallel > 1) {
    throw new UsageError(
      `--candidates runs in this process's thread; it does not combine with --parallel ${flags.parallel}`,
      'drop --parallel, or run one crys predict --data per --seed (each on its own threads)',
    );
  }
}

/** `--candidates k` selects among structure predictions: refused for a denoising or lattice model. */
export function refuseCandidatesForTask(candidates: number | undefined, task: string, source: string): void {
  if (candidates !== undefined && task !== 'structure') {
    throw new UsageError(
      `--candidates selects among structure predictions; ${source} is a ${task} model`,
      'drop --candidates, or give a structure model (e.g. --model perov_5)',
    );
  }
}
