// The clients of a cluster scenario, real KafkaJS ones reporting to its model: a producer sending unique values one
// send at a time to the partitions in turn, either idempotent with acks=all (each acknowledgement recorded with its
// partition and offset; a send that fails after its retries leaves its value "attempted", and the producer starts
// again with a new producer id) or acks=1 without retries (its writes may be truncated by a failover, so they are
// only "attempted"; no retry, so none is stored twice), and a consumer group member recording every message it
// reads with its partition and offset. Test helper.
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import type { ScenarioModel } from './scenario-model.js';

/** Generous retries: a client rides through a failover (a lease of a few seconds) without giving up. */
export function scenarioKafka(bootstrap: () => string[], clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: async () => bootstrap(),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

export class ScenarioProducer {
  private producer: Producer | null = null;
  private sent = 0;
  private failures = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly model: ScenarioModel,
    readonly name: string,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly acks: -1 | 1 = -1,
  ) {}

  get acknowledged(): number {
    return this.sent - this.failures;
  }

  /** Sends `count` messages in turn; resolves once each was acknowledged or given up on. */
  async send(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.sendOne();
  }

  /** Sends while `going()` holds (checked between sends). */
  async sendWhile(going: () => boolean): Promise<void> {
    while (going()) await this.sendOne();
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }

  private async sendOne(): Promise<void> {
    const seq = this.sent++;
    const value = `${this.name}-${String(seq).padStart(6, '0')}`;
    const partition = seq % this.partitions;
    this.model.attempt(value);
    try {
      const producer = await this.connected();
      const [meta] = await producer.send({ topic: this.topic, acks: this.acks, messages: [{ partition, value }] });
      if (this.acks === -1) this.model.acknowledge(this.name, this.topic, meta!.partition, Number(meta!.baseOffset), value);
    } catch {
      // Given up on (it may or may not be stored): a new producer id, so no later send reuses its sequence.
      this.failures += 1;
      await this.close().catch(() => undefined);
    }
  }

  private async connected(): Promise<Producer> {
    if (this.producer !== null) return this.producer;
    const producer =
      this.acks === -1
        ? this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
        : this.kafka.producer({ maxInFlightRequests: 1, retry: { retries: 0 } });
    await producer.connect();
    this.producer = producer;
    return producer;
  }
}

export class ScenarioConsumer {
  private consumer: Consumer | null = null;
  private count = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly model: ScenarioModel,
    readonly name: string,
    private readonly topic: string,
    private readonly groupId: string,
  ) {}

  /** Messages read so far (redeliveries included). */
  get read(): number {
    return this.count;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        this.count += 1;
        this.model.read(this.name, this.topic, partition, Number(message.offset), message.value?.toString() ?? '');
      },
    });
    this.consumer = consumer;
  }

  /**
   * Pauses the topic, then disconnects. KafkaJS 2.2.4's fetch loop can spin on already-resolved promises when its
   * connections close under a running fetcher (KafkaJSConnectionClosedError: the broker is dropped and the fetch
   * returns at once, again and again; tulios/kafkajs#1384, #1408): that starves the test process's event loop, so
   * not even the test's timeout fires. A paused consumer's fetcher sleeps maxWaitTimeInMs instead of fetching.
   */
  async stop(): Promise<void> {
    this.consumer?.pause([{ topic: this.topic }]);
    await this.consumer?.disconnect();
    this.consumer = null;
  }
}
