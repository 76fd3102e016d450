// Loads a native compression package on first use rather than at import: each takes tens of milliseconds to
// load, and a broker (or an embedded one in a test) often starts and serves without a compressed batch.
// Runs on any thread.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A getter that requires `name` (a CommonJS package) the first time it is called. */
export function loadedOnFirstUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
