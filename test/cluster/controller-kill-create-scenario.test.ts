// Scenario: the controller is killed (SIGKILL) right after a CreateTopics request reaches it, at a few delays so
// the kill lands at different steps of the creation (before the topic is written to etcd, between the topic and
// its partitions' states, after). Once a new controller is in office and the killed broker is back, the topic
// exists once with every partition led and writable, or not at all, in which case creating it again works; a
// second creation of one that exists is refused with TOPIC_ALREADY_EXISTS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/kafka-error-codes.js';
import { RawClient } from '../broker/raw-client.js';
import { ClusterScenario, fullyReplicated } from '../helpers/cluster-scenario.js';
import { produceTo } from '../helpers/raw-produce.js';

const PARTITIONS = 6;
const KILL_DELAYS_MS = [0, 3, 10, 30, 100];

let scenario: ClusterScenario;
beforeAll(async () => {
  scenario = await ClusterScenario.start({ brokers: 3 });
});
afterAll(async () => {
  await scenario?.stop();
});

const createTopicsBody = (name: string) => ({
  topics: [{ name, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }],
  timeoutMs: 30_000,
  validateOnly: false,
});

/** CreateTopics through `port`; the topic's error code. */
async function createTopic(port: number, name: string): Promise<number> {
  const client = await RawClient.connect('127.0.0.1', port);
  try {
    return (await client.call(19, 5, createTopicsBody(name))).topics[0]!.errorCode;
  } finally {
    client.close();
  }
}

/** How many times each answering broker's Metadata (all topics) lists `name`. */
async function listings(name: string): Promise<number[] | null> {
  const counts = await Promise.all(
    scenario.cluster.answering().map(async (broker) => {
      const client = await RawClient.connect('127.0.0.1', broker.proc.port).catch(() => null);
      if (client === null) return null;
      try {
        const body = await client.call(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
        return body.topics.filter((t) => t.name === name).length;
      } finally {
        client.close();
      }
    }),
  );
  return counts.some((c) => c === null) ? null : (counts as number[]);
}

describe('the controller killed during topic creation', () => {
  for (const delayMs of KILL_DELAYS_MS) {
    it(`leaves the topic existing once, fully led, or not at all (kill ${delayMs} ms after the request)`, async () => {
      const { cluster } = scenario;
      const topic = `created-under-fire-${delayMs}`;
      const [view] = await cluster.waitForMembers([1, 2, 3]);
      const controller = cluster.broker(view!.controllerId);
      const client = await RawClient.connect('127.0.0.1', controller.proc.port);
      void client.call(19, 5, createTopicsBody(topic)).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await controller.kill();
      client.close();
      const survivors = [1, 2, 3].filter((id) => id !== controller.nodeId);
      await cluster.waitForMembers(survivors);
      await controller.start();
      await cluster.waitForMembers([1, 2, 3]);

      // Every broker has applied the state once they all agree; then it exists on all of them or on none.
      const counts = await cluster.waitFor(`every broker to agree whether ${topic} exists`, async () => {
        const found = await listings(topic);
        return found?.every((c) => c === found[0]) && found;
      });
      expect(counts[0]!).toBeLessThanOrEqual(1);
      const again = await createTopic(cluster.broker(survivors[0]!).proc.port, topic);
      expect(again).toBe(counts[0] === 1 ? ErrorCode.TOPIC_ALREADY_EXISTS : ErrorCode.NONE);

      const partitions = await cluster.waitForPartitions(topic, 'every partition led with its full ISR', fullyReplicated(PARTITIONS), 30_000);
      expect(await listings(topic)).toEqual([1, 1, 1]);
      for (const p of partitions) {
        expect((await produceTo(cluster.broker(p.leader).proc.port, topic, p.partition, `written-to-${p.partition}`, -1)).errorCode).toBe(ErrorCode.NONE);
      }
    });
  }
});
