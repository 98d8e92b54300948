import type { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerGraph } from './commands/graph.js';
import { registerInfo } from './commands/info.js';
import type { CliContext } from './main.js';

/** Adds every `crys` sub-command to `program`. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerInfo(program, ctx);
  registerGraph(program, ctx);
  registerBench(program, ctx);
}
