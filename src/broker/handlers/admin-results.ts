// What the admin and group handlers share when answering: a KafkaError turned into a response's error
// fields, names repeated within one request, and per-partition answers for topic/partition lists. Main thread.
import { ErrorCode, errorName, KafkaError } from '../../shared/kafka-error-codes.js';

export interface ErrorFields {
  errorCode: number;
  errorMessage: string | null;
}

export const NO_ERROR: Readonly<ErrorFields> = Object.freeze({ errorCode: ErrorCode.NONE, errorMessage: null });

export type Outcome<T> = { ok: true; value: T } | ({ ok: false } & ErrorFields);

/** Runs one operation of a request: a KafkaError is the client's answer; any other error is our bug and propagates. */
export async function attempt<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, ...errorFieldsOf(error) };
  }
}

function errorFieldsOf(error: unknown): ErrorFields {
  if (!(error instanceof KafkaError)) throw error;
  // KafkaError prefixes its message with the code's name; the response carries the code separately.
  const prefix = `${errorName(error.code)}: `;
  return { errorCode: error.code, errorMessage: error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message };
}

export function fieldsOf(outcome: Outcome<unknown>): ErrorFields {
  return outcome.ok ? NO_ERROR : { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage };
}

/** Names given more than once in one request. */
export function repeatedNames(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  return repeated;
}

/**
 * Runs `operation` on each entry of a request, one after another in request order (a later entry may depend on
 * an earlier one). As in Kafka, a name given more than once is answered INVALID_REQUEST for each such entry
 * and acted on for none.
 */
export async function eachNamedOnce<T, A>(
  entries: readonly T[],
  nameOf: (entry: T) => string,
  operation: (entry: T) => Promise<A>,
  refused: (entry: T, error: ErrorFields) => A,
): Promise<A[]> {
  const repeated = repeatedNames(entries.map(nameOf));
  const answers: A[] = [];
  for (const entry of entries) {
    const name = nameOf(entry);
    answers.push(
      repeated.has(name)
        ? refused(entry, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `${name} appears more than once in the request` })
        : await operation(entry),
    );
  }
  return answers;
}

/** Maps a request's topics → partitions to the response's, answering each partition (in parallel). */
export async function answerPartitions<P, A>(
  topics: ReadonlyArray<{ name: string; partitions: readonly P[] }>,
  answer: (topic: string, partition: P) => A | Promise<A>,
): Promise<Array<{ name: string; partitions: A[] }>> {
  return Promise.all(topics.map(async (t) => ({ name: t.name, partitions: await Promise.all(t.partitions.map((p) => answer(t.name, p))) })));
}
