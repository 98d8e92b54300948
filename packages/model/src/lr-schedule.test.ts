import { describe, expect, it } from 'vitest';
import { learningRateAt, scheduledLearningRate } from './lr-schedule.js';

describe('learning-rate schedule', () => {
  it('warms up linearly to the peak, then follows the cosine to the floor and stays there', () => {
    expect(learningRateAt(0, 2, 4, 10, 0.1)).toBe(0.5);
    expect(learningRateAt(3, 2, 4, 10, 0.1)).toBe(2);
    expect(learningRateAt(4, 2, 4, 10, 0.1)).toBe(2);
    // half way through the decay: the mean of peak and floor
    expect(learningRateAt(9, 2, 4, 10, 0.1)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5), 14);
    expect(learningRateAt(14, 2, 4, 10, 0.1)).toBeCloseTo(0.2, 14);
    expect(learningRateAt(1000, 2, 4, 10, 0.1)).toBeCloseTo(0.2, 14);
  });

  it('without a time budget it is the step schedule; with one, the later of steps and minutes', () => {
    const schedule = { peak: 1, warmup: 10, decay: 100, floorFraction: 0.05 };
    for (const step of [0, 9, 10, 60, 200]) {
      expect(scheduledLearningRate(step, 999, schedule)).toBe(learningRateAt(step, 1, 10, 100, 0.05));
    }
    const timed = { ...schedule, maxMinutes: 60 };
    // during warmup the clock does not count
    expect(scheduledLearningRate(5, 59, timed)).toBe(learningRateAt(5, 1, 10, 100, 0.05));
    // half the budget spent at step 20: the cosine at step 10 + 50
    expect(scheduledLearningRate(20, 30, timed)).toBe(learningRateAt(60, 1, 10, 100, 0.05));
    // steps ahead of the clock: the steps count
    expect(scheduledLearningRate(90, 6, timed)).toBe(learningRateAt(90, 1, 10, 100, 0.05));
    expect(scheduledLearningRate(20, 60, timed)).toBeCloseTo(0.05, 14);
  });
});
