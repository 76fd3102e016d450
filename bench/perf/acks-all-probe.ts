// A producer that keeps sending one small record at a time with acks=all to one partition, through Fjord's
// client (src/client: every send reads Metadata first, so it follows a new leader at once), and remembers
// when each send started and when its acknowledgement arrived; the failover bench asks it for the first
// acknowledgement of a send started after a kill. Runs on the bench's main thread.
import { KafkaClient } from '../../src/client/kafka-client.js';
import { Producer } from '../../src/client/producer.js';

/** A pause between acknowledged sends, so the probe is a steady trickle, not a load. */
const SEND_INTERVAL_MS = 5;
/** A pause after a failed send (leader dead or not elected yet) before the next try, Metadata read again. */
const RETRY_PAUSE_MS = 10;
/** How long the leader may take to replicate one acks=all send; beyond it the send fails and is tried again. */
const ACK_TIMEOUT_MS = 30_000;
const VALUE = Buffer.alloc(100, 'p');

interface Waiter {
  afterMs: number;
  resolve: (ackedAtMs: number) => void;
}

export class AcksAllProbe {
  private client: KafkaClient;
  private running = true;
  private readonly waiters: Waiter[] = [];
  private readonly loop: Promise<void>;
  /** Sends that failed so far (connection refused, NOT_LEADER_OR_FOLLOWER, ...). */
  failures = 0;

  /** `bootstrap` is read again after a failed send: brokers started again listen on new ports. */
  constructor(
    private readonly bootstrap: () => string[],
    private readonly topic: string,
    private readonly partition: number,
  ) {
    this.client = this.newClient();
    this.loop = this.run();
  }

  /** performance.now() at the acknowledgement of the first send that started at or after `afterMs`. */
  firstAckAfter(afterMs: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no acks=all acknowledgement on ${this.topic}-${this.partition} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        afterMs,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.client.close();
  }

  private newClient(): KafkaClient {
    return new KafkaClient({ bootstrapServers: this.bootstrap(), clientId: 'fjord-failover-probe', requestTimeoutMs: ACK_TIMEOUT_MS + 5_000 });
  }

  private async run(): Promise<void> {
    // One attempt per send: the loop is the retry, so every attempt starts with fresh Metadata.
    const producer = () => new Producer(this.client, { acks: -1, ackTimeoutMs: ACK_TIMEOUT_MS, allowAutoTopicCreation: false, deliveryTimeoutMs: 0 });
    let current = producer();
    while (this.running) {
      const startedMs = performance.now();
      try {
        await current.send(this.topic, [{ key: null, value: VALUE, partition: this.partition }]);
        this.acknowledged(startedMs, performance.now());
        await pause(SEND_INTERVAL_MS);
      } catch {
        this.failures++;
        await this.client.close();
        this.client = this.newClient();
        current = producer();
        await pause(RETRY_PAUSE_MS);
      }
    }
  }

  private acknowledged(startedMs: number, ackedMs: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (startedMs < waiter.afterMs) continue;
      this.waiters.splice(i, 1);
      waiter.resolve(ackedMs);
    }
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
