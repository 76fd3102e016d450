// The one seed convention of randomized tests: every property test, fuzz run and stress producer takes its
// seed from seedFor(label), which prints it; FJORD_SEED=<seed> replays a run. Test helper only.

/** A 31-bit seed for `label`: FJORD_SEED when set, otherwise a fresh one. Printed either way. */
export function seedFor(label: string): number {
  const fromEnv = process.env['FJORD_SEED'];
  const seed = fromEnv === undefined ? Math.floor(Math.random() * 0x7fffffff) : Number(fromEnv) >>> 0;
  console.log(`seed ${label}: ${seed} (replay with FJORD_SEED=${seed})`);
  return seed;
}
