import type { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerConvert } from './commands/convert.js';
import { registerGraph } from './commands/graph.js';
import { registerInfo } from './commands/info.js';
import { registerMatch } from './commands/match.js';
import { registerQuickstart } from './commands/quickstart.js';
import type { CliContext } from './main.js';

/** Adds every `crys` sub-command to `program`. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerQuickstart(program, ctx);
  registerInfo(program, ctx);
  registerConvert(program, ctx);
  registerGraph(program, ctx);
  registerMatch(program, ctx);
  registerBench(program, ctx);
}
