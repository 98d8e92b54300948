import { describe, expect, it } from 'vitest';
import { nextIndex, plainRng, shuffled } from './minibatch.js';

describe('minibatch', () => {
  it('plainRng resumes from its state, normal draws included', () => {
    const a = plainRng(5);
    a.normal();
    a.next();
    const b = plainRng(a.state());
    expect([a.next(), a.normal(), a.int(7)]).toEqual([b.next(), b.normal(), b.int(7)]);
  });

  it('an epoch cursor walks its order, then reshuffles and counts the epoch', () => {
    const rng = plainRng(1);
    const order = shuffled(5, rng);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    const cursor = { order, position: 0, epoch: 0 };
    const first = Array.from({ length: 5 }, () => nextIndex(cursor, 5, rng));
    expect(first).toEqual(order);
    expect(cursor.epoch).toBe(0);
    const next = nextIndex(cursor, 5, rng);
    expect(cursor.epoch).toBe(1);
    expect(cursor.position).toBe(1);
    expect(cursor.order).not.toBe(order);
    expect(next).toBe(cursor.order[0]);
    expect([...cursor.order].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
