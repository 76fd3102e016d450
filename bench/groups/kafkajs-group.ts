// N KafkaJS 2.2.4 consumers joining one group together, for an end-to-end client figure beside the raw
// protocol members: connected and subscribed first, then timed from run() on all of them to the moment the
// latest GROUP_JOIN of every consumer carries a whole range assignment (each partition exactly once).
// Runs on the bench's main thread (KafkaJS's own timers and sockets).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
type Consumer = ReturnType<InstanceType<typeof Kafka>['consumer']>;

export interface KafkajsGroupSettings {
  address: string;
  groupId: string;
  topic: string;
  topicPartitions: number;
  members: number;
  heartbeatIntervalMs: number;
  /** Fetch long-poll: KafkaJS heartbeats between fetches, so this bounds how late it hears of a rebalance. */
  maxWaitTimeMs: number;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  timeoutMs: number;
}

export interface KafkajsJoin {
  /** run() on all consumers → every consumer holds its part of one whole assignment. */
  joinMs: number;
  /** GROUP_JOIN events seen (one per consumer when no rebalance repeats). */
  groupJoins: number;
}

/** Connects and subscribes the consumers, times the join, then disconnects them (LeaveGroup). */
export async function kafkajsJoin(settings: KafkajsGroupSettings): Promise<KafkajsJoin> {
  const kafka = new Kafka({ clientId: 'fjord-bench-kafkajs', brokers: [settings.address], logLevel: logLevel.NOTHING });
  const consumers: Consumer[] = Array.from({ length: settings.members }, () =>
    kafka.consumer({
      groupId: settings.groupId,
      heartbeatInterval: settings.heartbeatIntervalMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs,
      sessionTimeout: settings.sessionTimeoutMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
    }),
  );
  try {
    await Promise.all(consumers.map((c) => c.connect()));
    await Promise.all(consumers.map((c) => c.subscribe({ topic: settings.topic, fromBeginning: true })));
    const latest = new Map<number, readonly number[]>();
    let groupJoins = 0;
    let startedMs = 0;
    const whole = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`KafkaJS group ${settings.groupId} not settled after ${settings.timeoutMs} ms`)), settings.timeoutMs);
      consumers.forEach((consumer, i) => {
        consumer.on(consumer.events.GROUP_JOIN, (event) => {
          groupJoins++;
          latest.set(i, event.payload.memberAssignment[settings.topic] ?? []);
          if (latest.size === settings.members && tilesExactlyOnce([...latest.values()], settings.topicPartitions)) {
            clearTimeout(timer);
            resolve(performance.now() - startedMs);
          }
        });
      });
    });
    startedMs = performance.now();
    await Promise.all(consumers.map((c) => c.run({ eachMessage: async () => undefined })));
    return { joinMs: await whole, groupJoins };
  } finally {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  }
}

function tilesExactlyOnce(assignments: ReadonlyArray<readonly number[]>, partitions: number): boolean {
  const owners = new Array<number>(partitions).fill(0);
  for (const assigned of assignments) for (const p of assigned) owners[p] = (owners[p] ?? 0) + 1;
  return owners.length === partitions && owners.every((n) => n === 1);
}
