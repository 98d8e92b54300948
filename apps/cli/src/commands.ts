import type { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import type { CliContext } from './main.js';

/** Adds every `crys` sub-command to `program`. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerBench(program, ctx);
}
