// OffsetForLeaderEpoch against a real broker process, at every version: a standalone partition is written under
// leader epoch 0 only, so epoch 0 ends at the log end (an empty partition's at 0), and a later epoch is unknown
// (-1, -1); the answers survive a restart (the leader-epoch-checkpoint file); the current leader epoch is checked
// as Kafka checks it; unknown topics and partitions are refused; the replica id does not change the answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { buildRecordBatch } from '../../src/shared/record-batch-codec.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { RawClient } from './raw-client.js';

const TOPIC = 'epochs';
/** Records produced to partition 0, in batches of these sizes; partition 1 stays empty. */
const BATCHES = [3, 1, 4];
const LOG_END = BATCHES.reduce((a, b) => a + b, 0);

let broker: BrokerProcess;
let client: RawClient;

beforeAll(async () => {
  broker = await startBrokerProcess();
  client = await RawClient.connect('127.0.0.1', broker.port);
  const created = await client.call(19, 7, {
    topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  for (const count of BATCHES) {
    const records = buildRecordBatch(Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));
    const produced = await client.call(0, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
    });
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
  }
}, 60_000);

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

interface Asked {
  topic?: string;
  partition: number;
  leaderEpoch: number;
  currentLeaderEpoch?: number;
}

async function ask(version: number, asked: Asked[], replicaId = -1) {
  const answer = await client.call(23, version, {
    replicaId,
    topics: [...new Set(asked.map((a) => a.topic ?? TOPIC))].map((topic) => ({
      topic,
      partitions: asked
        .filter((a) => (a.topic ?? TOPIC) === topic)
        .map((a) => ({ partition: a.partition, currentLeaderEpoch: a.currentLeaderEpoch ?? -1, leaderEpoch: a.leaderEpoch })),
    })),
  });
  return answer.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
}

describe('a partition written under the standalone leader epoch 0', () => {
  for (const version of [0, 1, 2, 3, 4]) {
    it(`v${version}: epoch 0 ends at the log end; epoch 1 and epoch -1 are unknown`, async () => {
      const answers = await ask(version, [
        { partition: 0, leaderEpoch: 0 },
        { partition: 1, leaderEpoch: 0 },
        { partition: 0, leaderEpoch: 1 },
        { partition: 0, leaderEpoch: -1 },
      ]);
      // v0 has no leader epoch in the answer: it reads as the default, -1.
      const epoch0 = version >= 1 ? 0 : -1;
      expect(answers.map((a) => [a.partition, a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
        [0, ErrorCode.NONE, epoch0, LOG_END],
        [1, ErrorCode.NONE, epoch0, 0],
        [0, ErrorCode.NONE, -1, -1],
        [0, ErrorCode.NONE, -1, -1],
      ]);
    });
  }

  it('the replica id (consumer -1, debugging -2, a broker id) does not change the answer', async () => {
    for (const replicaId of [-1, -2, 1]) {
      const [answer] = await ask(4, [{ partition: 0, leaderEpoch: 0 }], replicaId);
      expect([answer!.errorCode, answer!.leaderEpoch, answer!.endOffset]).toEqual([ErrorCode.NONE, 0, LOG_END]);
    }
  });
});

describe('errors', () => {
  it("the current leader epoch: the partition's passes, a newer one is UNKNOWN_LEADER_EPOCH, an older one FENCED_LEADER_EPOCH", async () => {
    const answers = await ask(4, [
      { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 0 },
      { partition: 0, leaderEpoch: 0, currentLeaderEpoch: 1 },
      // Only -1 means "no epoch"; Kafka checks any other value, so -2 is older than the partition's 0.
      { partition: 0, leaderEpoch: 0, currentLeaderEpoch: -2 },
    ]);
    expect(answers.map((a) => [a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
      [ErrorCode.NONE, 0, LOG_END],
      [ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
      [ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
    ]);
  });

  it('v0-1 carry no current leader epoch, so nothing is fenced', async () => {
    for (const version of [0, 1]) {
      const [answer] = await ask(version, [{ partition: 0, leaderEpoch: 0, currentLeaderEpoch: 7 }]);
      expect([answer!.errorCode, answer!.endOffset]).toEqual([ErrorCode.NONE, LOG_END]);
    }
  });

  it('unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION, each on its own; the rest are answered', async () => {
    const answers = await ask(4, [
      { partition: 2, leaderEpoch: 0 },
      { partition: -1, leaderEpoch: 0 },
      { partition: 0, leaderEpoch: 0 },
      { topic: 'no-such-topic', partition: 0, leaderEpoch: 0 },
    ]);
    expect(answers.map((a) => [a.topic, a.partition, a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
      [TOPIC, 2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
      [TOPIC, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
      [TOPIC, 0, ErrorCode.NONE, 0, LOG_END],
      ['no-such-topic', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    ]);
  });
});

describe('after a restart', () => {
  it('answers the same from the leader-epoch-checkpoint file', async () => {
    const logDir = broker.logDir;
    client.close();
    expect(await broker.stop()).toBe(0);
    broker = await startBrokerProcess({}, logDir);
    client = await RawClient.connect('127.0.0.1', broker.port);
    const answers = await ask(4, [
      { partition: 0, leaderEpoch: 0 },
      { partition: 1, leaderEpoch: 0 },
    ]);
    expect(answers.map((a) => [a.errorCode, a.leaderEpoch, a.endOffset])).toEqual([
      [ErrorCode.NONE, 0, LOG_END],
      [ErrorCode.NONE, 0, 0],
    ]);
  }, 60_000);
});
