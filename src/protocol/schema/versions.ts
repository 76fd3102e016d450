// Version ranges of the message DSL ('3', '3-7', '9+', 'none'): parsing and membership. Runs on the main thread.
import type { VersionRange } from './types.js';

export interface Versions {
  readonly min: number;
  /** Infinity for an open-ended range. */
  readonly max: number;
}

const NONE: Versions = { min: 1, max: 0 };

/** Parses a range; a malformed one is a bug in a schema file, so it throws a plain Error. */
export function parseVersions(range: VersionRange): Versions {
  if (range === 'none') return NONE;
  const match = /^(\d+)(?:(\+)|-(\d+))?$/.exec(range);
  if (match === null) throw new Error(`invalid version range '${range}'`);
  const min = Number(match[1]);
  if (match[2] === '+') return { min, max: Infinity };
  const max = match[3] === undefined ? min : Number(match[3]);
  if (max < min) throw new Error(`invalid version range '${range}'`);
  return { min, max };
}

export function inVersions(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const { min, max } = parseVersions(range);
  return version >= min && version <= max;
}
