import type { Command } from 'commander';
import { CliFailure, UsageError } from '../errors.js';
import type { QueueAddress } from '../jobs/queue.js';
import type { CliContext } from '../main.js';
import { formatTable } from '../table.js';

interface JobsOpts {
  queue?: string;
  run?: string;
  out?: string;
  json?: boolean;
}

async function withQueue<T>(
  opts: JobsOpts,
  fn: (queue: import('bullmq').Queue, address: QueueAddress) => Promise<T>,
): Promise<T> {
  if (opts.queue === undefined) {
    throw new UsageError('crys jobs needs --queue redis://host:port/name', 'the URL the jobs were submitted to');
  }
  const q = await import('../jobs/queue.js');
  const address = q.parseQueueUrl(opts.queue);
  const queue = await q.openQueue(address);
  try {
    return await fn(queue, address);
  } finally {
    await queue.close();
  }
}

export function registerJobs(program: Command, ctx: CliContext): void {
  const { term } = ctx;
  const jobs = program
    .command('jobs')
    .summary('status, collect or cancel the distributed jobs on a queue')
    .description(
      'The runs submitted with --queue to crys predict / relax / eval / match: `status` lists them (shards done, ' +
        "running, failed, retries, workers, refusals), `collect` writes a finished run's merged output and " +
        'manifest, `cancel` removes its shards from the queue. --run takes a run id or its first characters; ' +
        'without it the newest run is meant.',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys jobs status --queue redis://10.0.0.5:6379/screen\n  $ crys jobs collect --queue redis://10.0.0.5:6379/screen --run 3f2a --out predicted.csv',
    );
  jobs
    .command('status')
    .description('list the runs on the queue and how far each is')
    .option('--queue <url>', 'redis://host:port/name')
    .option('--run <id>', 'only this run (id or prefix)')
    .option('--json', 'print JSON')
    .action((opts: JobsOpts) =>
      withQueue(opts, async (queue, address) => {
        const q = await import('../jobs/queue.js');
        const runs = opts.run === undefined ? await q.listRuns(queue) : [await q.findRun(queue, address, opts.run)];
        const workers = await queue.getWorkersCount();
        const rows = [];
        for (const r of runs) {
          const p = await q.runProgress(queue, r);
          rows.push({
            run: r.run,
            kind: r.spec.kind,
            input: r.spec.input,
            out: r.out,
            created: r.created,
            cancelled: !!r.cancelled,
            rows: r.spec.rows,
            ...p,
            refusals: await q.refusals(queue, r.run),
          });
        }
        if (opts.json) {
          term.out(JSON.stringify({ queue: address.display, workers, runs: rows }));
          return;
        }
        term.out(`${address.display}: ${runs.length} run(s), ${workers} worker(s) connected`);
        if (rows.length === 0) return;
        term.out(
          formatTable(
            ['run', 'kind', 'rows', 'done', 'shards', 'completed', 'running', 'waiting', 'failed', 'state', 'output'],
            rows.map((r) => [
              r.run,
              r.kind,
              String(r.rows),
              String(r.rowsDone),
              String(r.shards),
              String(r.completed),
              String(r.active),
              String(r.waiting),
              String(r.failed),
              r.cancelled ? 'cancelled' : r.completed + r.failed === r.shards ? 'finished' : 'running',
              r.out,
            ]),
          ),
        );
        for (const r of rows) for (const m of Object.values(r.refusals)) term.out(`run ${r.run}: ${m}`);
      }),
    );
  jobs
    .command('collect')
    .description("write a finished run's merged output (input order, an error column) and its manifest")
    .option('--queue <url>', 'redis://host:port/name')
    .option('--run <id>', 'run id or prefix (default: the newest)')
    .option('-o, --out <file>', "where to write (default: the submitting command's --out); .jsonl for JSON lines")
    .option('--json', 'print a JSON summary')
    .action((opts: JobsOpts) =>
      withQueue(opts, async (queue, address) => {
        const q = await import('../jobs/queue.js');
        const { mergeShards } = await import('../jobs/output.js');
        const { finishJob } = await import('../jobs/run.js');
        const record = await q.findRun(queue, address, opts.run);
        if (record.cancelled)
          throw new CliFailure(`run ${record.run} was cancelled`, 'submit the command again to run it');
        const { results, reports, finishedOn } = await q.collectRun(queue, record);
        const rows = mergeShards(record.spec, results);
        const seconds = Math.max(0, (finishedOn - Date.parse(record.created)) / 1000); // submission to last shard
        finishJob(
          ctx,
          opts.out ?? record.out,
          record.spec,
          { rows, info: { mode: 'queue', run: record.run, queue: address.display, seconds, shards: reports } },
          'collected',
          opts.json,
          record.modelSource,
        );
      }),
    );
  jobs
    .command('cancel')
    .description("remove a run's shards from the queue (a shard being run finishes and is ignored)")
    .option('--queue <url>', 'redis://host:port/name')
    .option('--run <id>', 'run id or prefix (default: the newest)')
    .action((opts: JobsOpts) =>
      withQueue(opts, async (queue, address) => {
        const q = await import('../jobs/queue.js');
        const record = await q.findRun(queue, address, opts.run);
        const { removed, active } = await q.cancelRun(queue, record);
        term.out(
          `cancelled run ${record.run}: ${removed} shard(s) removed${active ? `, ${active} running (finished and ignored)` : ''}`,
        );
      }),
    );
}
