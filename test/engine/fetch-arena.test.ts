// The fetch arena's extents against a simple model (a byte map of who holds what), under random lends,
// shrinks and returns in any order: lent extents never overlap and stay inside the arena, a lend fails only
// when no free run is large enough, and once everything is back the whole arena can be lent again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FetchArena } from '../../src/engine/fetch-arena.js';
import { seedFor } from '../helpers/test-seed.js';

const seed = seedFor('fetch-arena');

const ALIGN = 64;
const CAPACITY = 64 * ALIGN;

type Op = { kind: 'lend'; bytes: number } | { kind: 'shrink'; pick: number; bytes: number } | { kind: 'return'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('lend' as const), bytes: fc.integer({ min: 1, max: CAPACITY }) }),
  fc.record({ kind: fc.constant('shrink' as const), pick: fc.nat(), bytes: fc.integer({ min: 0, max: CAPACITY }) }),
  fc.record({ kind: fc.constant('return' as const), pick: fc.nat() }),
);

/** Longest run of free units (ALIGN bytes each) in the model. */
function longestFreeRun(owner: Int32Array): number {
  let best = 0;
  let run = 0;
  for (const o of owner) {
    run = o < 0 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best * ALIGN;
}

describe('FetchArena', () => {
  it('lends disjoint extents inside the arena, refuses only when no free run fits, and takes all back', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const arena = new FetchArena(CAPACITY);
        const owner = new Int32Array(CAPACITY / ALIGN).fill(-1);
        const lent: number[] = [];
        const mark = (start: number, bytes: number, who: number): void => {
          for (let u = start / ALIGN; u < (start + bytes) / ALIGN; u++) {
            if (who >= 0) expect(owner[u]).toBe(-1);
            owner[u] = who;
          }
        };
        for (const o of ops) {
          if (o.kind === 'lend') {
            const size = Math.ceil(o.bytes / ALIGN) * ALIGN;
            const start = arena.allocate(o.bytes);
            if (start < 0) {
              expect(longestFreeRun(owner)).toBeLessThan(size);
              continue;
            }
            expect(start % ALIGN).toBe(0);
            expect(start + size).toBeLessThanOrEqual(CAPACITY);
            expect(arena.sizeOf(start)).toBe(size);
            mark(start, size, start);
            lent.push(start);
          } else if (lent.length > 0) {
            const i = o.pick % lent.length;
            const start = lent[i]!;
            const size = arena.sizeOf(start);
            mark(start, size, -1);
            if (o.kind === 'shrink') {
              arena.shrink(start, Math.min(o.bytes, size));
              mark(start, arena.sizeOf(start), start);
              expect(arena.view(start, Math.min(o.bytes, size)).length).toBe(Math.min(o.bytes, size));
            } else {
              arena.free(start);
              lent.splice(i, 1);
            }
          }
          expect(arena.lentBytes).toBe(owner.filter((w) => w >= 0).length * ALIGN);
        }
        for (const start of lent) arena.free(start);
        expect(arena.lentBytes).toBe(0);
        expect(arena.allocate(CAPACITY)).toBe(0);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('refuses a second return and a view beyond its extent', () => {
    const arena = new FetchArena(CAPACITY);
    const start = arena.allocate(100);
    expect(() => arena.view(start, 200)).toThrow();
    arena.free(start);
    expect(() => arena.free(start)).toThrow();
  });
});
