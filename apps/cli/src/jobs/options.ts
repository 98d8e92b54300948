import { type Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { autoThreads, intOption } from '../options.js';

/**
 * Adds the options of a sharded job to a batch command: --queue (run on BullMQ workers instead of in-process),
 * --shard-size, --retries, --detach, and --parallel (shards at once on this machine's threads).
 */
export function addJobOptions(command: Command): Command {
  return command
    .option(
      '--queue <url>',
      'run the shards on `crys worker`s through BullMQ on Redis: redis://host:port/name (see docs/scale.md)',
    )
    .option(
      '--shard-size <n>',
      'rows per shard, the unit of work (default 64); gives the row-by-row job output',
      intOption(1, 1_000_000),
    )
    .option(
      '--retries <n>',
      'with --queue: attempts after the first for a failing or stalled shard',
      intOption(0, 100),
      2,
    )
    .option('--detach', 'with --queue: submit, print the run id and return (collect with `crys jobs collect`)')
    .addOption(
      new Option(
        '--parallel <n>',
        "shards (of 64 rows, or --shard-size) run at once, each on a thread of this machine: 1 to 64, or auto (default: the machine's cores, at most 4); the output is the same for any count",
      ).argParser((value: string) => (value === 'auto' ? 'auto' : intOption(1, 64)(value))),
    );
}

/**
 * The number of shard threads of an embedded run: `--parallel` (auto, the default: this machine's cores, at most
 * 4). With --queue the workers run the shards, so an explicit --parallel is a usage error there.
 */
export function resolveParallel(flags: { parallel?: number | 'auto'; queue?: string }): number {
  if (flags.queue !== undefined) {
    if (flags.parallel !== undefined) {
      throw new UsageError(
        '--parallel runs shards on this machine and cannot be combined with --queue',
        'give each `crys worker` --concurrency instead, or drop --queue',
      );
    }
    return 1;
  }
  return flags.parallel === undefined || flags.parallel === 'auto' ? autoThreads() : flags.parallel;
}
