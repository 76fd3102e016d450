// Parsers for the fjord command's flag values (integers, key=value pairs, partition lists, times); a bad
// value is a usage error naming what was expected. Runs on the main thread.
import { InvalidArgumentError } from 'commander';

export function integer(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError(`expected an integer, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`"${text}" is too large`);
  return value;
}

export function nonNegative(text: string): number {
  const value = integer(text);
  if (value < 0) throw new InvalidArgumentError(`expected 0 or more, got ${value}`);
  return value;
}

export function positive(text: string): number {
  const value = integer(text);
  if (value < 1) throw new InvalidArgumentError(`expected 1 or more, got ${value}`);
  return value;
}

/** A repeatable key=value flag, collected into a Map. */
export function keyValue(text: string, previous: Map<string, string> = new Map()): Map<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got "${text}"`);
  return new Map([...previous, [text.slice(0, at), text.slice(at + 1)]]);
}

/** A repeatable flag collected into a list. */
export function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** "0,2,5" or "0-3" (or a mix) → sorted distinct partitions. */
export function partitionList(text: string): number[] {
  const partitions = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (range === null) throw new InvalidArgumentError(`expected partitions like 0,2 or 0-3, got "${text}"`);
    const from = Number(range[1]);
    const to = Number(range[2] ?? range[1]);
    if (to < from) throw new InvalidArgumentError(`"${part}" is an empty range`);
    for (let p = from; p <= to; p++) partitions.add(p);
  }
  return [...partitions].sort((a, b) => a - b);
}

/** Broker ids in the order given ("2,3,1": the first is the preferred leader), each once. */
export function brokerList(text: string): number[] {
  const ids = text.split(',').map((id) => id.trim());
  if (ids.some((id) => !/^\d+$/.test(id))) throw new InvalidArgumentError(`expected broker ids like 2,3,1, got "${text}"`);
  const numbers = ids.map(Number);
  if (new Set(numbers).size !== numbers.length) throw new InvalidArgumentError(`a broker is listed twice in "${text}"`);
  return numbers;
}

/** Milliseconds since the epoch, or an ISO-8601 date-time ("2024-05-01T12:00:00Z"; no zone = local time). */
export function timestamp(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`expected an ISO date-time (2024-05-01T12:00:00Z) or milliseconds since the epoch, got "${text}"`);
  return ms;
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${text}"`);
    return text as T;
  };
}
