/**
 * Learning rate at a step: linear warmup, then cosine decay to a floor.
 *
 * @example
 * learningRateAt(0, 1e-3, 100, 900, 0.05); // 1e-5 (first warmup step)
 */
export function learningRateAt(
  step: number,
  peak: number,
  warmup: number,
  decay: number,
  floorFraction: number,
): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const p = Math.min(1, (step - warmup) / Math.max(1, decay));
  return peak * (floorFraction + (1 - floorFraction) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

/** The schedule of a run: {@link learningRateAt}'s parameters and an optional wall-clock budget. */
export interface LearningRateSchedule {
  readonly peak: number;
  readonly warmup: number;
  readonly decay: number;
  readonly floorFraction: number;
  /** Minutes of the run's time budget: the cosine then follows whichever runs out first, steps or minutes. */
  readonly maxMinutes?: number;
}

/**
 * Learning rate of a step `elapsedMinutes` into a run. Without a time budget it is {@link learningRateAt} of the
 * step; with one, after warmup the cosine is taken at the later of the step and the step the elapsed share of the
 * budget corresponds to (warmup + elapsed/maxMinutes · decay), so a run on a busy machine still anneals.
 *
 * @example
 * scheduledLearningRate(150, 30, { peak: 1e-3, warmup: 100, decay: 900, floorFraction: 0.05, maxMinutes: 60 });
 * // the cosine at step 550: half the budget is spent
 */
export function scheduledLearningRate(step: number, elapsedMinutes: number, schedule: LearningRateSchedule): number {
  const { peak, warmup, decay, floorFraction, maxMinutes } = schedule;
  const timeStep = maxMinutes !== undefined ? warmup + (elapsedMinutes / maxMinutes) * decay : 0;
  return learningRateAt(Math.max(step, step >= warmup ? timeStep : 0), peak, warmup, decay, floorFraction);
}
