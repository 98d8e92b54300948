import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from '../main.js';
import { formatTable } from '../table.js';
import type { TaskDescription, TrainingDefaults } from '../task-info.js';
import { paint } from '../term.js';

/** Splits `text` into lines of at most `width` characters (words are never broken). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (!word) continue;
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** `  key       value` lines, the value wrapped under itself. */
export function keyValueLines(color: boolean, key: string, value: string, width = 100, keyWidth = 10): string[] {
  const pad = ' '.repeat(2 + keyWidth);
  return wrapText(value, Math.max(40, width - pad.length)).map((l, i) =>
    i === 0 ? `  ${paint(color, 'dim', key.padEnd(keyWidth))}${l}` : `${pad}${l}`,
  );
}

/** The summary table of the tasks: one row each. */
export function formatTaskTable(tasks: readonly TaskDescription[]): string {
  const n = (x: number) => String(Number(x.toPrecision(6)));
  return formatTable(
    ['task', '--task', 'atoms σ(t)', 'lattice noise', 'start (t = 1)', 'loss', 'shipped models'],
    tasks.map((t) => [
      t.title,
      t.option,
      t.noise.atomSigma[1] > 0 ? `${n(t.noise.atomSigma[0])} → ${n(t.noise.atomSigma[1])}` : 'fixed',
      n(t.config.latticeNoise),
      t.noise.topLevelIsPriorCell ? 'volume-prior cube' : 'strained crystal',
      t.loss.latticeWeight !== null ? `atoms + ${n(t.loss.latticeWeight)} × lattice` : 'standardised a b c α β γ',
      t.shipped.join(', ') || '–',
    ]),
    ['left', 'left', 'right', 'right', 'left', 'left', 'left'],
  );
}

/** The text block of one task. */
export function formatTask(t: TaskDescription, color: boolean, width: number): string {
  const kv = (k: string, v: string) => keyValueLines(color, k, v, width);
  const lines = [
    paint(color, 'bold', `${t.title} (--task ${t.option})`),
    ...kv('what', t.summary),
    ...kv('atoms', t.noise.atoms),
    ...kv('lattice', t.noise.lattice),
    ...kv(
      'start',
      t.task === 'property'
        ? 'the clean crystal itself (no noise process)'
        : t.noise.topLevelIsPriorCell
          ? 'the top level is the volume-prior cubic cell'
          : 'the top level is the clean crystal, strained and displaced',
    ),
    ...kv('loss', t.loss.text),
  ];
  t.metrics.forEach((m, i) => {
    lines.push(...kv(i === 0 ? 'metrics' : '', `· ${m}`));
  });
  lines.push(...kv('train', `$ ${t.commands.train}`));
  lines.push(...kv('eval', `$ ${t.commands.eval}`));
  if (t.commands.evalShipped) lines.push(...kv('', `$ ${t.commands.evalShipped}`));
  return lines.join('\n');
}

/** The training defaults as `crys train` option = value lines. */
export function formatTrainingDefaults(d: TrainingDefaults, color: boolean, width: number): string {
  const net = Object.entries(d.network)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const rows: [string, string][] = [
    [
      'schedule',
      `--max-steps ${d.maxSteps}, --batch-size ${d.batchSize}, --lr ${d.learningRate} (Adam), --warmup ${d.warmupSteps} then cosine decay to ${d.minLearningRateFraction} × the peak`,
    ],
    [
      'stability',
      `gradients clipped at global norm ${d.gradClip}; a batch with a non-finite loss or a gradient norm above ${d.skipGradNorm} is skipped and reported`,
    ],
    ['loss', `--lattice-weight ${d.latticeWeight} (structure, denoise)`],
    [
      'validation',
      `every ${d.validEvery} steps (--valid-every) on ${d.validRepeats} fixed noised copies of each validation crystal; the best model is kept; checkpoint every ${d.checkpointEvery} steps`,
    ],
    [
      'model',
      `network ${net}; --k ${d.k} nearest neighbours; at most ${d.maxAtoms} atoms; ${d.inferenceSteps} inference steps; --seed ${d.seed}`,
    ],
  ];
  return [
    paint(color, 'bold', 'training defaults (every task; crys train options override them)'),
    ...rows.flatMap(([k, v]) => keyValueLines(color, k, v, width, 12)),
  ].join('\n');
}

export function registerTasks(program: Command, ctx: CliContext): void {
  program
    .command('tasks')
    .summary('the three tasks: noise process, training loss, metrics and commands')
    .description(
      'Describes the tasks an action model is trained for (structure prediction from random starts, denoising, ' +
        'lattice reconstruction): what each does, its noise process (σ(t) of the atoms, the lattice noise, ' +
        'whether the top level is the volume-prior cubic cell), its training loss, the metrics `crys eval` ' +
        'reports for it, the shipped models and the commands that train and score one. The numbers are ' +
        "@crys/model's (TASKS, DEFAULT_TRAIN_CONFIG, LATTICE_STD_FLOOR) and @crys/eval's (FIELD_MATCHER_OPTIONS).",
    )
    .argument('[task]', 'only this task: csp (= structure), denoise, lattice or property')
    .option('--json', 'print { tasks, trainingDefaults } as JSON')
    .addHelpText('after', '\nExamples:\n  $ crys tasks\n  $ crys tasks lattice\n  $ crys tasks --json')
    .action(async (word: string | undefined, opts: { json?: boolean }) => {
      const { term } = ctx;
      const info = await import('../task-info.js');
      let kinds = info.TASK_ORDER;
      if (word !== undefined) {
        const kind = info.taskFromWord(word);
        if (!kind)
          throw new UsageError(`'${word}' is not a task`, 'choose csp (= structure), denoise, lattice or property');
        kinds = [kind];
      }
      const tasks = kinds.map((k) => info.describeTask(k));
      const defaults = info.trainingDefaults();
      if (opts.json) {
        term.out(JSON.stringify({ tasks, trainingDefaults: defaults }, null, 2));
        return;
      }
      const width = Math.max(60, Math.min(120, term.stdout.columns ?? 100));
      if (tasks.length > 1) {
        term.out(formatTaskTable(tasks));
        term.out();
      }
      for (const t of tasks) {
        term.out(formatTask(t, term.color, width));
        term.out();
      }
      term.out(formatTrainingDefaults(defaults, term.color, width));
    });
}
