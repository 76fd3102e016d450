// What a cluster scenario's clients saw, and the anomalies checked against it once the cluster has settled: an
// acknowledged message lost (not at its acknowledged offset), a message stored twice (an idempotent producer's
// retry), an offset holding different messages for different readers, a message read and later rolled back, and
// replicas whose logs differ below the high watermark. Pure bookkeeping, no I/O. Test helper.

/** One record of a partition's log: its offset and value (every scenario message has a unique value). */
export interface LoggedRecord {
  offset: number;
  value: string;
}

/** A partition's committed log as one reader saw it, in offset order. */
export type PartitionLog = LoggedRecord[];

/** Where a message sits: "topic/partition". */
export const partitionKey = (topic: string, partition: number) => `${topic}/${partition}`;

interface Placed {
  key: string;
  offset: number;
  value: string;
  /** When the client saw it (ISO time), to read next to the brokers' logs. */
  at?: string;
}

export class ScenarioModel {
  /** Every value a producer tried to send (acknowledged or not): the only values a log may hold. */
  private readonly attempted = new Set<string>();
  private readonly acknowledged: Placed[] = [];
  /** Acknowledged values of one producer, per partition, in sending order (their offsets must rise). */
  private readonly sentOrder = new Map<string, number[]>();
  private readonly reads: Array<Placed & { reader: string }> = [];

  attempt(value: string): void {
    this.attempted.add(value);
  }

  acknowledge(producer: string, topic: string, partition: number, offset: number, value: string): void {
    const key = partitionKey(topic, partition);
    this.acknowledged.push({ key, offset, value, at: new Date().toISOString() });
    const order = `${producer} ${key}`;
    this.sentOrder.set(order, [...(this.sentOrder.get(order) ?? []), offset]);
  }

  read(reader: string, topic: string, partition: number, offset: number, value: string): void {
    this.reads.push({ reader, key: partitionKey(topic, partition), offset, value });
  }

  get acknowledgedCount(): number {
    return this.acknowledged.length;
  }

  get readCount(): number {
    return this.reads.length;
  }

  /** The anomalies found against the settled logs (keyed by partitionKey), one line each; empty when none. */
  anomalies(logs: Map<string, PartitionLog>): string[] {
    const at = new Map<string, Map<number, string>>();
    for (const [key, log] of logs) at.set(key, new Map(log.map((r) => [r.offset, r.value])));
    return [...this.lost(at), ...this.misordered(), ...this.duplicated(logs), ...this.strangers(logs), ...this.disagreeingReads(), ...this.rolledBack(at)];
  }

  private lost(at: Map<string, Map<number, string>>): string[] {
    return this.acknowledged
      .filter((a) => at.get(a.key)?.get(a.offset) !== a.value)
      .map(
        (a) =>
          `acknowledged message lost: ${a.value} at ${a.key}@${a.offset} (the log holds ${at.get(a.key)?.get(a.offset) ?? 'nothing'} there; acknowledged at ${a.at})`,
      );
  }

  private misordered(): string[] {
    return [...this.sentOrder]
      .filter(([, offsets]) => offsets.some((offset, i) => i > 0 && offset <= offsets[i - 1]!))
      .map(([order, offsets]) => `acknowledged out of sending order: ${order} got offsets ${offsets.join(',')}`);
  }

  private duplicated(logs: Map<string, PartitionLog>): string[] {
    const seen = new Map<string, string>();
    const found: string[] = [];
    for (const [key, log] of logs) {
      for (const { offset, value } of log) {
        const first = seen.get(value);
        if (first !== undefined) found.push(`message stored twice: ${value} at ${first} and ${key}@${offset}`);
        seen.set(value, `${key}@${offset}`);
      }
    }
    return found;
  }

  private strangers(logs: Map<string, PartitionLog>): string[] {
    return [...logs].flatMap(([key, log]) =>
      log.filter((r) => !this.attempted.has(r.value)).map((r) => `message no producer sent: ${r.value} at ${key}@${r.offset}`),
    );
  }

  private disagreeingReads(): string[] {
    const first = new Map<string, Placed & { reader: string }>();
    const found: string[] = [];
    for (const read of this.reads) {
      const where = `${read.key}@${read.offset}`;
      const earlier = first.get(where);
      if (earlier === undefined) first.set(where, read);
      else if (earlier.value !== read.value)
        found.push(`one offset, two messages: ${where} read as ${earlier.value} by ${earlier.reader} and ${read.value} by ${read.reader}`);
    }
    return found;
  }

  private rolledBack(at: Map<string, Map<number, string>>): string[] {
    return this.reads
      .filter((r) => at.get(r.key)?.get(r.offset) !== r.value)
      .map((r) => `consumed message rolled back: ${r.value} read by ${r.reader} at ${r.key}@${r.offset}, now ${at.get(r.key)?.get(r.offset) ?? 'absent'}`);
  }
}

/** The differences between two replicas' logs of one partition below `highWatermark`, one line each. */
export function replicaDifferences(what: string, expected: PartitionLog, actual: PartitionLog, highWatermark: number): string[] {
  const below = (log: PartitionLog) => log.filter((r) => r.offset < highWatermark);
  const [a, b] = [below(expected), below(actual)];
  const found: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x?.offset !== y?.offset || x?.value !== y?.value) {
      found.push(
        `${what}: record ${i} is ${y === undefined ? 'missing' : `${y.value}@${y.offset}`}, expected ${x === undefined ? 'nothing' : `${x.value}@${x.offset}`}`,
      );
      break;
    }
  }
  return found;
}
