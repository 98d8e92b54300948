// `crys eval` of a property model: its predictions of the dataset column against the rows' values, beside the
// "predict the training mean" baseline.
import type { ActionModel, DatasetRow, PropertyReport } from '@crys/model';
import { InvalidArgumentError } from '@crys/lattice';
import { UsageError } from '../errors.js';
import { writeAtomic } from '../files.js';
import type { CliContext } from '../main.js';
import { createProgress } from '../progress.js';
import { fixed } from '../table.js';
import { paint } from '../term.js';

/** The `crys eval` options a property evaluation reads or refuses. */
export interface PropertyEvalOpts {
  dataset: string;
  split: string;
  candidates?: number;
  rankBy?: string;
  latticeModel?: string;
  symmetrize?: number;
  out?: string;
  json?: boolean | string;
  queue?: string;
  shardSize?: number;
  shards?: number;
}

/** What `crys eval` reports for a property model (its `--json` record): the run and @crys/model's report. */
export interface PropertyEvaluation extends PropertyReport {
  readonly data: string;
  readonly model: string;
  readonly split: string;
  readonly task: 'property';
  readonly seconds: number;
}

/** Runs and prints the evaluation of a property model on `rows` (the chosen split of `--data`). */
export async function evaluateProperty(
  ctx: CliContext,
  opts: PropertyEvalOpts,
  model: ActionModel,
  source: string,
  rows: readonly DatasetRow[],
): Promise<PropertyEvaluation> {
  const { term } = ctx;
  const refused = [
    ['--candidates', opts.candidates],
    ['--rank-by', opts.rankBy],
    ['--lattice-model', opts.latticeModel],
    ['--symmetrize', opts.symmetrize],
    ['--out', opts.out],
    ['--queue', opts.queue],
    ['--shard-size', opts.shardSize],
    ['--shards', opts.shards],
  ].filter(([, v]) => v !== undefined);
  if (refused.length > 0) {
    throw new UsageError(
      `${refused.map(([f]) => f).join(', ')} ${refused.length > 1 ? 'apply' : 'applies'} to structure models; ${source} is a property model`,
      `evaluate it alone (crys eval --model ${source} --data …), or rank structure samples with it: --model perov_5 --candidates 4 --rank-by ${source}`,
    );
  }
  const { propertyReport } = await import('@crys/model');
  const stats = model.config.property;
  if (stats === undefined) throw new UsageError(`${source} is a property model without its property statistics`);
  const scoring = createProgress(term, { label: 'predicting', total: 0 });
  const t0 = performance.now();
  let report: ReturnType<typeof propertyReport>;
  try {
    report = propertyReport(model, rows);
  } catch (e) {
    if (!(e instanceof InvalidArgumentError) || e.parameter !== 'rows') throw e;
    throw new UsageError(
      `${opts.dataset}: ${e.message.slice(e.message.indexOf('row '))}`,
      `evaluate it on data with a numeric ${stats.name} column`,
    );
  }
  scoring.finish(`${rows.length} crystals`);
  const seconds = (performance.now() - t0) / 1000;
  const record: PropertyEvaluation = {
    data: opts.dataset,
    model: source,
    split: opts.split,
    task: 'property',
    seconds,
    ...report,
  };
  const jsonFile = typeof opts.json === 'string' && opts.json !== '-' ? opts.json : undefined;
  if (jsonFile) writeAtomic(jsonFile, `${JSON.stringify(record, null, 2)}\n`);
  else if (opts.json) {
    term.out(JSON.stringify(record));
    return record;
  }
  term.out(
    paint(
      term.color,
      'bold',
      `property model ${source} (${stats.name}) on ${opts.dataset} (${opts.split} split, ${rows.length} rows) in ${fixed(seconds, 1)} s`,
    ),
  );
  term.out(
    `MAE  ${fixed(record.mae, 4)}  (the training mean ${fixed(stats.mean, 4)} for every row: ${fixed(record.baseline.mae, 4)})`,
  );
  term.out(`RMSE ${fixed(record.rmse, 4)}  (the training mean: ${fixed(record.baseline.rmse, 4)})`);
  if (jsonFile) term.out(`wrote ${jsonFile}`);
  return record;
}
