import type { Command } from 'commander';
import { intOption } from '../options.js';

/**
 * Adds the options of a sharded job to a batch command: --queue (run on BullMQ workers instead of in-process),
 * --shard-size, --retries and --detach.
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
    .option('--detach', 'with --queue: submit, print the run id and return (collect with `crys jobs collect`)');
}
