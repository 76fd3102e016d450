// Sends records to a topic: picks each record's partition (DefaultPartitioner), builds one batch per
// partition, sends one Produce request per leader, and retries partitions whose leader moved, was not ready or
// could not be reached (died), after a metadata refresh, with backoff, until the delivery timeout. Not
// idempotent: a retry after a lost answer may store a batch twice. Runs on the caller's main thread.
import type { ProducedRecord } from '../shared/record-batch-codec.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { DefaultPartitioner } from './partitioner.js';
import { type CompressionName, encodeBatch } from './record-batches.js';
import { backoffDelayMs, isRetriableError, remainingOf, sleep } from './retry.js';

export type Acks = -1 | 0 | 1;

export interface ProducerOptions {
  acks: Acks;
  compression: CompressionName;
  /** How long the broker may wait for acks=all replication. */
  ackTimeoutMs: number;
  /** Ask the broker to create a missing topic (Metadata's allowAutoTopicCreation), as Kafka producers do. */
  allowAutoTopicCreation: boolean;
  /** How long a send may take, retries included, before it fails with the last error (Kafka's delivery.timeout.ms). */
  deliveryTimeoutMs: number;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  acks: -1,
  compression: 'none',
  ackTimeoutMs: 30_000,
  allowAutoTopicCreation: true,
  deliveryTimeoutMs: 120_000,
};

const LEADER_NOT_AVAILABLE = 5;

export interface ProducerRecord extends ProducedRecord {
  /** An explicit partition; otherwise the partitioner picks one. */
  partition?: number;
}

/** Where a partition's records went: the first offset (-1 with acks=0) and how many. */
export interface Delivery {
  topic: string;
  partition: number;
  baseOffset: number;
  count: number;
}

export class Producer {
  readonly options: ProducerOptions;

  constructor(
    private readonly client: KafkaClient,
    options: Partial<ProducerOptions> = {},
    private readonly partitioner = new DefaultPartitioner(),
  ) {
    this.options = { ...DEFAULT_PRODUCER_OPTIONS, ...options };
  }

  /**
   * Sends `records` (order kept within each partition); resolves when every partition is acknowledged. A record
   * keeps its partition across retries; the error that ends a send is the first one retrying cannot mend, or the
   * last one when the delivery timeout runs out.
   */
  async send(topic: string, records: readonly ProducerRecord[]): Promise<Delivery[]> {
    if (records.length === 0) return [];
    const deadlineMs = Date.now() + this.options.deliveryTimeoutMs;
    const policy = this.client.retryPolicy;
    const info = await this.client.topic(topic, this.options.allowAutoTopicCreation, remainingOf(policy, deadlineMs));
    const byPartition = this.assign(topic, records, info.partitions.length);
    this.partitioner.batchSent(topic, info.partitions.length);
    const deliveries: Delivery[] = [];
    let waiting = byPartition;
    for (let attempt = 1; ; attempt++) {
      const failed = await this.sendOnce(topic, waiting, deliveries);
      if (failed.size === 0) break;
      const errors = [...failed.values()].map((f) => f.error);
      const error = errors.find((e) => !isRetriableError(e)) ?? errors[0];
      const delayMs = backoffDelayMs(attempt, policy);
      if (!isRetriableError(error) || Date.now() + delayMs > deadlineMs) throw error;
      await sleep(delayMs);
      await this.client.refreshMetadata(topic, this.options.allowAutoTopicCreation);
      waiting = new Map([...failed].map(([partition, { records: list }]) => [partition, list]));
    }
    return deliveries.sort((a, b) => a.partition - b.partition);
  }

  private assign(topic: string, records: readonly ProducerRecord[], partitions: number): Map<number, ProducerRecord[]> {
    const byPartition = new Map<number, ProducerRecord[]>();
    for (const record of records) {
      const partition = record.partition ?? this.partitioner.partition(topic, record.key, partitions);
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        throw new KafkaResponseError(3, `${topic}-${partition}`, `the topic has partitions 0-${partitions - 1}`, false);
      }
      let list = byPartition.get(partition);
      if (list === undefined) {
        list = [];
        byPartition.set(partition, list);
      }
      list.push(record);
    }
    return byPartition;
  }

  /** One Produce request per leader; returns the partitions that failed, with their records and error. */
  private async sendOnce(topic: string, byPartition: Map<number, ProducerRecord[]>, deliveries: Delivery[]) {
    const byLeader = new Map<number, number[]>();
    for (const partition of byPartition.keys()) {
      const leader = this.client.leaderId(topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const failed = new Map<number, { records: ProducerRecord[]; error: unknown }>();
    const fail = (partitions: number[], error: unknown) => {
      for (const index of partitions) failed.set(index, { records: byPartition.get(index)!, error });
    };
    await Promise.all(
      [...byLeader].map(async ([leaderId, partitions]) => {
        if (leaderId < 0) return fail(partitions, new KafkaResponseError(LEADER_NOT_AVAILABLE, `produce to ${topic}-${partitions[0]}`));
        try {
          await this.sendToLeader(topic, leaderId, partitions, byPartition, deliveries, fail);
        } catch (error) {
          fail(partitions, error);
        }
      }),
    );
    return failed;
  }

  private async sendToLeader(
    topic: string,
    leaderId: number,
    partitions: number[],
    byPartition: Map<number, ProducerRecord[]>,
    deliveries: Delivery[],
    fail: (partitions: number[], error: unknown) => void,
  ): Promise<void> {
    const leader = await this.client.broker(leaderId);
    const partitionData = await Promise.all(
      partitions.map(async (index) => ({ index, records: await encodeBatch(byPartition.get(index)!, this.options.compression) })),
    );
    const request = { transactionalId: null, acks: this.options.acks, timeoutMs: this.options.ackTimeoutMs, topicData: [{ name: topic, partitionData }] };
    if (this.options.acks === 0) {
      leader.sendOnly(0, request, { minVersion: 3 });
      for (const index of partitions) deliveries.push({ topic, partition: index, baseOffset: -1, count: byPartition.get(index)!.length });
      return;
    }
    const { body } = await leader.call(0, request, { minVersion: 3 });
    for (const answer of body.responses.flatMap((r) => r.partitionResponses)) {
      if (answer.errorCode !== 0) {
        fail([answer.index], new KafkaResponseError(answer.errorCode, `produce to ${topic}-${answer.index}`, answer.errorMessage));
        continue;
      }
      deliveries.push({ topic, partition: answer.index, baseOffset: answer.baseOffset, count: byPartition.get(answer.index)?.length ?? 0 });
    }
  }
}
