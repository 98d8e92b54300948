import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseQueueUrl } from '../jobs/queue.js';
import type { CliContext } from '../main.js';
import { intOption } from '../options.js';

interface WorkerOpts {
  queue?: string;
  concurrency: number;
  lock: number;
  retries: number;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .summary('run the shards of distributed jobs from a BullMQ queue on Redis')
    .description(
      'Takes shards of crys predict / relax / eval / match jobs submitted with --queue from the queue, runs each ' +
        "with the model the job names (a model whose file's SHA-256 differs from the job's is refused: the worker " +
        'puts the shard back and stops) and stores the result in Redis. Start any number, on any machine that ' +
        'reaches the Redis server; stop one with Ctrl-C (it finishes its shard first). A worker killed mid-shard ' +
        'loses its lock and, after --lock seconds, another worker takes the shard over.',
    )
    .option('--queue <url>', 'redis://host:port/name, as given to the submitting command')
    .option(
      '--concurrency <n>',
      'shards at a time in this process (one per core; each runs on its own thread)',
      intOption(1, 64),
      1,
    )
    .option('--lock <s>', "seconds before a silent worker's shard is handed on (stalled)", intOption(2, 86_400), 30)
    .option('--retries <n>', 'times a shard may be handed on after a stall before it fails', intOption(0, 100), 2)
    .addHelpText(
      'after',
      '\nExamples:\n  $ crys worker --queue redis://10.0.0.5:6379/screen\n  $ crys worker --queue redis://127.0.0.1:6379/crys --concurrency 2 --lock 10',
    )
    .action(async (opts: WorkerOpts) => {
      if (opts.queue === undefined) {
        throw new UsageError('crys worker needs --queue redis://host:port/name', 'the URL the jobs were submitted to');
      }
      const address = parseQueueUrl(opts.queue);
      const { runWorker } = await import('../jobs/worker.js');
      const stop = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await runWorker(
        ctx.term,
        address,
        { concurrency: opts.concurrency, lockSeconds: opts.lock, maxStalled: opts.retries },
        stop,
      );
    });
}
