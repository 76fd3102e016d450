// Reads assigned partitions of one topic from positions the caller sets: one Fetch per leader (long poll),
// records decoded and decompressed, positions advanced, each partition's high watermark kept so a caller
// can tell when it has reached the end. Runs on the caller's main thread.
import type { RecordHeader } from '../shared/record-batch-codec.js';
import type { BrokerConnection } from './broker-connection.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { decodeFetchedRecords } from './record-batches.js';

/** The last Fetch version that names topics; v13+ name them by id. */
const LAST_FETCH_VERSION_BY_NAME = 12;

export interface FetchedMessage {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface FetcherOptions {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
}

export const DEFAULT_FETCHER_OPTIONS: FetcherOptions = { maxWaitMs: 500, minBytes: 1, maxBytes: 50 * 1024 * 1024, partitionMaxBytes: 1024 * 1024 };

/** Errors after which a metadata refresh and another fetch can succeed (the leader moved or is loading). */
const REFRESH_AND_RETRY = new Set([3, 5, 6, 56, 74, 75]);

export class Fetcher {
  /** partition → next offset to read. */
  readonly positions = new Map<number, number>();
  /** partition → high watermark from the latest answer. */
  readonly highWatermarks = new Map<number, number>();
  private readonly options: FetcherOptions;

  constructor(
    private readonly client: KafkaClient,
    readonly topic: string,
    options: Partial<FetcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_FETCHER_OPTIONS, ...options };
  }

  /** Replaces the assignment: partition → offset to start from. */
  assign(positions: ReadonlyMap<number, number>): void {
    this.positions.clear();
    this.highWatermarks.clear();
    for (const [partition, offset] of positions) this.positions.set(partition, offset);
  }

  /** Every assigned partition's position has reached its high watermark. */
  atEnd(): boolean {
    for (const [partition, position] of this.positions) {
      const end = this.highWatermarks.get(partition);
      if (end === undefined || position < end) return false;
    }
    return true;
  }

  /** One fetch round over every leader; records in offset order per partition. */
  async fetch(): Promise<FetchedMessage[]> {
    if (this.positions.size === 0) return [];
    const byLeader = new Map<BrokerConnection, number[]>();
    for (const partition of this.positions.keys()) {
      const leader = await this.client.leader(this.topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const rounds = await Promise.all([...byLeader].map(([leader, partitions]) => this.fetchFrom(leader, partitions)));
    return rounds.flat();
  }

  private async fetchFrom(leader: BrokerConnection, partitions: number[]): Promise<FetchedMessage[]> {
    const { body } = await leader.call(
      1,
      {
        replicaId: -1,
        maxWaitMs: this.options.maxWaitMs,
        minBytes: this.options.minBytes,
        maxBytes: this.options.maxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic: this.topic,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: this.positions.get(partition)!,
              partitionMaxBytes: this.options.partitionMaxBytes,
            })),
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      },
      // v12 at most: this request names its topic (v13+ name topics by id).
      { extraTimeoutMs: this.options.maxWaitMs, maxVersion: LAST_FETCH_VERSION_BY_NAME },
    );
    const messages: FetchedMessage[] = [];
    for (const answer of body.responses.flatMap((r) => r.partitions)) {
      const partition = answer.partitionIndex;
      const position = this.positions.get(partition);
      if (position === undefined) continue;
      if (answer.errorCode !== 0) {
        if (!REFRESH_AND_RETRY.has(answer.errorCode)) throw new KafkaResponseError(answer.errorCode, `fetch ${this.topic}-${partition} at offset ${position}`);
        await this.client.topic(this.topic);
        continue;
      }
      this.highWatermarks.set(partition, answer.highWatermark);
      const fetched = await decodeFetchedRecords(answer.records, position);
      for (const r of fetched.records) messages.push({ topic: this.topic, partition, ...r });
      this.positions.set(partition, fetched.nextOffset);
    }
    return messages;
  }
}
