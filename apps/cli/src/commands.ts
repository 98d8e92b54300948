import type { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerConvert } from './commands/convert.js';
import { registerEval } from './commands/eval.js';
import { registerGraph } from './commands/graph.js';
import { registerInfo } from './commands/info.js';
import { registerJobs } from './commands/jobs.js';
import { registerMatch } from './commands/match.js';
import { registerModel } from './commands/model.js';
import { registerPerturb } from './commands/perturb.js';
import { registerPredict } from './commands/predict.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRelax } from './commands/relax.js';
import { registerSplit } from './commands/split.js';
import { registerStandardize } from './commands/standardize.js';
import { registerSupercell } from './commands/supercell.js';
import { registerTasks } from './commands/tasks.js';
import { registerTrain } from './commands/train.js';
import { registerWorker } from './commands/worker.js';
import type { CliContext } from './main.js';

/** Adds every `crys` sub-command to `program`, in the order `crys --help` lists them. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerQuickstart(program, ctx);
  registerInfo(program, ctx);
  registerConvert(program, ctx);
  registerGraph(program, ctx);
  registerMatch(program, ctx);
  registerSupercell(program, ctx);
  registerPerturb(program, ctx);
  registerStandardize(program, ctx);
  registerRelax(program, ctx);
  registerPredict(program, ctx);
  registerSplit(program, ctx);
  registerTrain(program, ctx);
  registerEval(program, ctx);
  registerTasks(program, ctx);
  registerModel(program, ctx);
  registerWorker(program, ctx);
  registerJobs(program, ctx);
  registerBench(program, ctx);
}
