// ElectLeaders at the protocol level on a standalone broker, with requests no client library sends: unclean and
// unknown election types, partitions listed twice, negative and unknown partitions, every version, a truncated
// frame. (Elections in a cluster: test/cluster/preferred-leader.test.ts.)
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerHandle } from '../../src/broker.js';
import { encodeRequest } from '../../src/protocol/api-registry.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { RawClient } from './raw-client.js';
import { startTestBroker } from './test-broker.js';

let broker: BrokerHandle;
let client: RawClient;

beforeAll(async () => {
  broker = await startTestBroker();
  client = await RawClient.connect(broker.address.host, broker.address.port);
  const created = await client.call(19, 7, { topics: [{ name: 'elect', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 10_000 });
  expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
});

afterAll(async () => {
  client?.close();
  await broker?.stop();
});

const codes = (results: ReadonlyArray<{ topic: string; partitionResult: ReadonlyArray<{ partitionId: number; errorCode: number }> }>) =>
  results.flatMap((t) => t.partitionResult.map((p) => [t.topic, p.partitionId, p.errorCode]));

describe('ElectLeaders on a standalone broker', () => {
  it('answers ELECTION_NOT_NEEDED for its partitions and UNKNOWN_TOPIC_OR_PARTITION for others, each partition once', async () => {
    for (const version of [0, 1, 2]) {
      const answer = await client.call(43, version, {
        electionType: 0,
        topicPartitions: [
          { topic: 'elect', partitions: [0, 1, 0, -1, 2] },
          { topic: 'elect', partitions: [1] },
          { topic: 'nowhere', partitions: [0] },
        ],
        timeoutMs: 1000,
      });
      expect(answer.errorCode).toBe(ErrorCode.NONE);
      expect(codes(answer.replicaElectionResults)).toEqual([
        ['elect', 0, ErrorCode.ELECTION_NOT_NEEDED],
        ['elect', 1, ErrorCode.ELECTION_NOT_NEEDED],
        ['elect', -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['elect', 2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['nowhere', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
    }
  });

  it('leaves out the partitions that need no election when asked for all of them', async () => {
    const answer = await client.call(43, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, replicaElectionResults: [] });
  });

  it('answers ELECTION_NOT_NEEDED to an unclean election too (its only replica is live and in sync)', async () => {
    const answer = await client.call(43, 1, { electionType: 1, topicPartitions: [{ topic: 'elect', partitions: [1, 5] }], timeoutMs: 1000 });
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    expect(codes(answer.replicaElectionResults)).toEqual([
      ['elect', 1, ErrorCode.ELECTION_NOT_NEEDED],
      ['elect', 5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it('refuses unknown election types with INVALID_REQUEST, at the top and per partition', async () => {
    for (const electionType of [2, -1, 127]) {
      const answer = await client.call(43, 2, { electionType, topicPartitions: [{ topic: 'elect', partitions: [0] }], timeoutMs: 1000 });
      expect(answer.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(codes(answer.replicaElectionResults)).toEqual([['elect', 0, ErrorCode.INVALID_REQUEST]]);
    }
    const all = await client.call(43, 1, { electionType: 7, topicPartitions: null, timeoutMs: 1000 });
    expect(all).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] });
  });

  it('closes the connection on a truncated request and keeps serving others', async () => {
    const frame = encodeRequest(43, 2, 1, 'raw', { electionType: 0, topicPartitions: [{ topic: 'elect', partitions: [0] }], timeoutMs: 1000 });
    // The size prefix says the frame ends 3 bytes early: the body is cut inside its last field.
    const cut = Buffer.from(frame.subarray(0, frame.length - 3));
    cut.writeInt32BE(cut.length - 4, 0);
    const socket = connect({ host: broker.address.host, port: broker.address.port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write(cut);
    await closed;
    const answer = await client.call(43, 0, { topicPartitions: [{ topic: 'elect', partitions: [1] }] });
    expect(codes(answer.replicaElectionResults)).toEqual([['elect', 1, ErrorCode.ELECTION_NOT_NEEDED]]);
  });
});
