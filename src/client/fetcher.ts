// Reads assigned partitions of one topic from positions the caller sets: one Fetch per leader (long poll),
// records decoded and decompressed, positions advanced, each partition's high watermark kept so a caller
// can tell when it has reached the end. A leader that moved or cannot be reached (died) sets its partitions
// aside with backoff while Metadata is asked again; the others keep being read. Runs on the caller's main thread.
import type { RecordHeader } from '../shared/record-batch-codec.js';
import type { ResponseBody } from './broker-connection.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { decodeFetchedRecords } from './record-batches.js';
import { backoffDelayMs, isRetriableError, sleep } from './retry.js';

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
const LEADER_NOT_AVAILABLE = 5;

/** A partition that could not be read: since when, how often, when to try again. */
interface Failing {
  sinceMs: number;
  attempts: number;
  retryAtMs: number;
}

export class Fetcher {
  /** partition → next offset to read. */
  readonly positions = new Map<number, number>();
  /** partition → high watermark from the latest answer. */
  readonly highWatermarks = new Map<number, number>();
  /** Partitions whose leader moved or could not be reached, waiting for their next try. */
  private readonly failing = new Map<number, Failing>();
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
    this.failing.clear();
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

  /**
   * One fetch round over every leader; records in offset order per partition. Partitions waiting out a backoff are
   * skipped (when all are, the round waits for the first of them). A partition that cannot be read for the
   * client's retry timeout ends the round with its last error, as does an error retrying cannot mend.
   */
  async fetch(): Promise<FetchedMessage[]> {
    if (this.positions.size === 0) return [];
    const partitions = [...this.positions.keys()];
    if (partitions.some((p) => this.client.leaderId(this.topic, p) < 0)) await this.client.refreshMetadata(this.topic);
    const nowMs = Date.now();
    const byLeader = new Map<number, number[]>();
    for (const partition of partitions) {
      if ((this.failing.get(partition)?.retryAtMs ?? 0) > nowMs) continue;
      const leader = this.client.leaderId(this.topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    if (byLeader.size === 0) {
      await sleep(Math.min(...[...this.failing.values()].map((f) => f.retryAtMs)) - nowMs);
      return [];
    }
    const rounds = await Promise.all([...byLeader].map(([leader, list]) => this.fetchFrom(leader, list)));
    if (this.failing.size > 0) await this.client.refreshMetadata(this.topic);
    return rounds.flat();
  }

  private async fetchFrom(leaderId: number, partitions: number[]): Promise<FetchedMessage[]> {
    if (leaderId < 0) {
      this.failed(partitions, new KafkaResponseError(LEADER_NOT_AVAILABLE, `fetch ${this.topic}-${partitions[0]}`));
      return [];
    }
    let body: ResponseBody<1>;
    try {
      body = await this.request(leaderId, partitions);
    } catch (error) {
      if (!isRetriableError(error)) throw error;
      this.failed(partitions, error);
      return [];
    }
    const messages: FetchedMessage[] = [];
    for (const answer of body.responses.flatMap((r) => r.partitions)) {
      const partition = answer.partitionIndex;
      const position = this.positions.get(partition);
      if (position === undefined) continue;
      if (answer.errorCode !== 0) {
        const error = new KafkaResponseError(answer.errorCode, `fetch ${this.topic}-${partition} at offset ${position}`);
        if (!REFRESH_AND_RETRY.has(answer.errorCode)) throw error;
        this.failed([partition], error);
        continue;
      }
      this.failing.delete(partition);
      this.highWatermarks.set(partition, answer.highWatermark);
      const fetched = await decodeFetchedRecords(answer.records, position);
      for (const r of fetched.records) messages.push({ topic: this.topic, partition, ...r });
      this.positions.set(partition, fetched.nextOffset);
    }
    return messages;
  }

  private async request(leaderId: number, partitions: number[]): Promise<ResponseBody<1>> {
    const leader = await this.client.broker(leaderId);
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
    return body;
  }

  /** Sets partitions aside until their next backoff ends; one failing for longer than the retry timeout throws. */
  private failed(partitions: number[], error: unknown): void {
    const nowMs = Date.now();
    const policy = this.client.retryPolicy;
    for (const partition of partitions) {
      const failing = this.failing.get(partition) ?? { sinceMs: nowMs, attempts: 0, retryAtMs: 0 };
      if (nowMs - failing.sinceMs > policy.timeoutMs) throw error;
      failing.attempts++;
      failing.retryAtMs = nowMs + backoffDelayMs(failing.attempts, policy);
      this.failing.set(partition, failing);
    }
  }
}
