// Sends records to a topic: picks each record's partition (DefaultPartitioner), builds one batch per
// partition, sends one Produce request per leader, and retries partitions whose leader moved or was not
// ready, after a metadata refresh. Runs on the caller's main thread.
import type { ProducedRecord } from '../shared/record-batch-codec.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode, KafkaResponseError } from './kafka-errors.js';
import { DefaultPartitioner } from './partitioner.js';
import { type CompressionName, encodeBatch } from './record-batches.js';
import { DEFAULT_RETRY, isRetriableError, type RetryPolicy } from './retry.js';

export type Acks = -1 | 0 | 1;

export interface ProducerOptions {
  acks: Acks;
  compression: CompressionName;
  /** How long the broker may wait for acks=all replication. */
  ackTimeoutMs: number;
  /** Ask the broker to create a missing topic (Metadata's allowAutoTopicCreation), as Kafka producers do. */
  allowAutoTopicCreation: boolean;
  retry: RetryPolicy;
}

export const DEFAULT_PRODUCER_OPTIONS: ProducerOptions = {
  acks: -1,
  compression: 'none',
  ackTimeoutMs: 30_000,
  allowAutoTopicCreation: true,
  retry: DEFAULT_RETRY,
};

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

  /** Sends `records` (order kept within each partition); resolves when every partition is acknowledged. */
  async send(topic: string, records: readonly ProducerRecord[]): Promise<Delivery[]> {
    if (records.length === 0) return [];
    const info = await this.client.topic(topic, this.options.allowAutoTopicCreation);
    const byPartition = this.assign(topic, records, info.partitions.length);
    this.partitioner.batchSent(topic, info.partitions.length);
    const deliveries: Delivery[] = [];
    let waiting = byPartition;
    for (let attempt = 1; waiting.size > 0; attempt++) {
      const failed = await this.sendOnce(topic, waiting, deliveries);
      if (failed.size === 0) break;
      const error = [...failed.values()][0]!.error;
      if (attempt >= this.options.retry.attempts || !isRetriableError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, this.options.retry.backoffMs));
      await this.client.topic(topic, this.options.allowAutoTopicCreation);
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
    const byLeader = new Map<Awaited<ReturnType<KafkaClient['leader']>>, number[]>();
    for (const partition of byPartition.keys()) {
      const leader = await this.client.leader(topic, partition);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const failed = new Map<number, { records: ProducerRecord[]; error: unknown }>();
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const partitionData = await Promise.all(
          partitions.map(async (index) => ({ index, records: await encodeBatch(byPartition.get(index)!, this.options.compression) })),
        );
        const request = { transactionalId: null, acks: this.options.acks, timeoutMs: this.options.ackTimeoutMs, topicData: [{ name: topic, partitionData }] };
        if (this.options.acks === 0) {
          leader.sendOnly(0, request, { minVersion: 3 });
          for (const index of partitions) deliveries.push({ topic, partition: index, baseOffset: -1, count: byPartition.get(index)!.length });
          return;
        }
        try {
          const { body } = await leader.call(0, request, { minVersion: 3 });
          for (const answer of body.responses.flatMap((r) => r.partitionResponses)) {
            try {
              checkErrorCode(answer.errorCode, `produce to ${topic}-${answer.index}`, answer.errorMessage);
              deliveries.push({ topic, partition: answer.index, baseOffset: answer.baseOffset, count: byPartition.get(answer.index)?.length ?? 0 });
            } catch (error) {
              failed.set(answer.index, { records: byPartition.get(answer.index) ?? [], error });
            }
          }
        } catch (error) {
          for (const index of partitions) failed.set(index, { records: byPartition.get(index)!, error });
        }
      }),
    );
    return failed;
  }
}
