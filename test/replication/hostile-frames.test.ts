// The replication listener against hostile and wrong input from a raw socket: garbage, a size beyond the frame
// bound, a negative size, wrong field types, a fetch before the handshake, another cluster's handshake and a
// frame left incomplete each close their connection, and the broker keeps serving followers. A well-formed
// follower gets the leader's checks: newer and older leader epochs, a broker that is no replica, and the
// diverging epoch of a follower whose last epoch the leader never wrote past.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSplitter } from '../../src/network/frame-splitter.js';
import { type LeaderMessage, parseLeaderMessage } from '../../src/replication/messages.js';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { encodeFrame } from '../../src/replication/wire-format.js';
import { kafkajsClient } from '../broker/test-broker.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { CLUSTER_ID, type ClusterBroker, replicasOf, replicationAddress, startClusterBroker } from './replicated-brokers.js';

const TOPIC = 'guarded';
let broker: ClusterBroker;
const log = captureLogger();

/** A raw connection to the replication listener: bytes out, frames in, and whether the broker closed it. */
class RawPeer {
  private readonly splitter = new FrameSplitter(1 << 30);
  private readonly frames: Buffer[] = [];
  private waiting: (() => void) | null = null;
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.splitter.push(chunk)) this.frames.push(frame);
      this.waiting?.();
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    this.closed.then(() => this.waiting?.());
  }

  static async open(): Promise<RawPeer> {
    const { host, port } = replicationAddress(broker);
    const socket = connect({ host, port });
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawPeer(socket);
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async next(): Promise<LeaderMessage> {
    while (this.frames.length === 0) {
      if (this.socket.destroyed) throw new Error('connection closed');
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return parseLeaderMessage(this.frames.shift()!);
  }

  async handshake(nodeId = 2): Promise<void> {
    this.send(encodeFrame({ type: 'handshake', correlationId: 1, clusterId: CLUSTER_ID, nodeId }));
    expect(await this.next()).toEqual({ type: 'handshake', correlationId: 1, clusterId: CLUSTER_ID, nodeId: 1 });
  }

  async fetch(partition: Record<string, number>, replicaId = 2) {
    this.send(
      encodeFrame({
        type: 'fetch',
        correlationId: 7,
        replicaId,
        replicaEpoch: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        partitions: [{ topic: TOPIC, partition: 0, fetchOffset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 3, maxBytes: 1 << 20, ...partition }],
      }),
    );
    const reply = await this.next();
    if (reply.type !== 'fetch') throw new Error(`expected a fetch response, got ${reply.type}`);
    expect(reply.correlationId).toBe(7);
    return reply.partitions[0]!;
  }

  end(): void {
    this.socket.destroy();
  }
}

function sized(body: Buffer, size = body.length): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(size);
  return Buffer.concat([head, body]);
}

async function produce(count: number): Promise<void> {
  const producer = (await kafkajsClient(broker.handle)).producer();
  await producer.connect();
  for (let i = 0; i < count; i++) await producer.send({ topic: TOPIC, acks: 1, messages: [{ value: `v${i}` }] });
  await producer.disconnect();
}

beforeAll(async () => {
  broker = await startClusterBroker(1, { [TOPIC]: 1 }, { 'fjord.request.read.timeout.ms': '200' }, undefined, log.logger);
  // Epoch 1 wrote offsets 0..4, epoch 3 wrote 5..7: epoch 2 was never this leader's.
  await replicasOf(broker).becomeLeader(TOPIC, 0, { leaderEpoch: 1, isr: [1], replicas: [1, 2] });
  await produce(5);
  await replicasOf(broker).becomeLeader(TOPIC, 0, { leaderEpoch: 3, isr: [1], replicas: [1, 2] });
  await produce(3);
}, 60_000);

afterAll(async () => {
  await broker.handle.stop();
});

describe('frames that close the connection', () => {
  const hostile: Array<[string, () => Buffer]> = [
    ['garbage that is not one msgpack value', () => sized(Buffer.from([1, 2, 3, 4, 5]))],
    ['a size beyond the frame bound', () => sized(Buffer.alloc(8), 0x7fffffff)],
    ['a negative size', () => sized(Buffer.alloc(8), -5)],
    ['a msgpack value that is no map', () => encodeFrame([1, 2, 3])],
    ['a handshake whose node id is a string', () => encodeFrame({ type: 'handshake', correlationId: 1, clusterId: CLUSTER_ID, nodeId: 'two' })],
    ['a handshake from another cluster', () => encodeFrame({ type: 'handshake', correlationId: 1, clusterId: 'another-cluster', nodeId: 2 })],
    ['an unknown message type', () => encodeFrame({ type: 'produce', correlationId: 1 })],
    [
      'a fetch before the handshake',
      () => encodeFrame({ type: 'fetch', correlationId: 1, replicaId: 2, replicaEpoch: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1, partitions: [] }),
    ],
    ['a frame left incomplete past fjord.request.read.timeout.ms', () => sized(Buffer.alloc(10), 1000)],
  ];
  for (const [what, frame] of hostile) {
    it(`closes on ${what}, and the broker keeps serving`, async () => {
      const peer = await RawPeer.open();
      peer.send(frame());
      await peer.closed;
      const good = await RawPeer.open();
      await good.handshake();
      expect((await good.fetch({ fetchOffset: 8, lastFetchedEpoch: 3 })).errorCode).toBe(ErrorCode.NONE);
      good.end();
    });
  }

  it('logs why it closed (rate-limited per client address and kind)', () => {
    const closing = log.lines.filter((line) => String(line.msg).startsWith('closing connection'));
    expect(closing.some((line) => String(line.msg).includes('malformed replication frame'))).toBe(true);
    expect(closing.some((line) => String(line.msg).includes('exceeds the replication request limit'))).toBe(true);
    expect(closing.some((line) => String(line.msg).includes('incomplete'))).toBe(true);
  });

  it('closes on a fetch with a wrong field type after the handshake', async () => {
    const peer = await RawPeer.open();
    await peer.handshake();
    peer.send(
      encodeFrame({
        type: 'fetch',
        correlationId: 2,
        replicaId: 2,
        replicaEpoch: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1,
        partitions: [{ topic: TOPIC, partition: 0, fetchOffset: '0' }],
      }),
    );
    await peer.closed;
  });

  it('closes on a fetch naming another replica than the one that shook hands', async () => {
    const peer = await RawPeer.open();
    await peer.handshake(2);
    peer.send(encodeFrame({ type: 'fetch', correlationId: 2, replicaId: 5, replicaEpoch: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1, partitions: [] }));
    await peer.closed;
  });
});

describe("the leader's checks", () => {
  let peer: RawPeer;
  beforeAll(async () => {
    peer = await RawPeer.open();
    await peer.handshake();
  });
  afterAll(() => peer.end());

  it('answers UNKNOWN_LEADER_EPOCH to a newer epoch and FENCED_LEADER_EPOCH to an older one', async () => {
    expect((await peer.fetch({ currentLeaderEpoch: 4 })).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await peer.fetch({ currentLeaderEpoch: 2 })).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });

  it('answers NOT_LEADER_OR_FOLLOWER for a partition it does not lead', async () => {
    expect((await peer.fetch({ partition: 1 })).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('sends the stored batches from the fetch offset with the offsets', async () => {
    const answer = await peer.fetch({ fetchOffset: 0 });
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 8, logStartOffset: 0, logEndOffset: 8, divergingEpoch: null });
    expect(answer.records.length).toBeGreaterThan(0);
  });

  it('answers a diverging epoch, and no records, to a follower whose last epoch ends earlier here', async () => {
    // The follower wrote epoch 2 up to offset 7: here epoch 2 is unknown, the largest below it (1) ends at 5.
    const answer = await peer.fetch({ fetchOffset: 7, lastFetchedEpoch: 2 });
    expect(answer).toMatchObject({ errorCode: ErrorCode.NONE, divergingEpoch: { epoch: 1, endOffset: 5 }, logEndOffset: 8 });
    expect(answer.records.length).toBe(0);
    // Epoch 1 up to offset 5 agrees with the leader: no divergence.
    expect((await peer.fetch({ fetchOffset: 5, lastFetchedEpoch: 1 })).divergingEpoch).toBeNull();
  });
});

it('refuses a fetch from a broker that is no replica of the partition', async () => {
  const peer = await RawPeer.open();
  await peer.handshake(9);
  expect((await peer.fetch({}, 9)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  peer.end();
});
