// Conformance: for every API Fjord serves and every version from the lowest Kafka accepts to the highest
// Fjord advertises, a request encoded from Kafka's own JSON schema gets an answer that decodes under Kafka's
// schema (to the last byte) and means the right thing (api-scenarios.ts). Fails when ApiVersions advertises a
// version the handler refuses, when a served API does not cover Kafka's whole range, and when an API is served
// that no scenario checks. One real broker process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advertisedVersions } from '../../../src/broker/handler-table.js';
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.js';
import { createTopic, SCENARIOS, type World } from './api-scenarios.js';
import { kafkaApis, type Value } from './kafka-json-codec.js';
import { SchemaConnection } from './schema-connection.js';

const served = advertisedVersions();

let broker: BrokerProcess;
let world: World;

beforeAll(async () => {
  // An authorizer, for the ACL APIs; its super user is every client here, so ACL checks will not get in the way.
  broker = await startBrokerProcess({
    'group.initial.rebalance.delay.ms': '0',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
  });
  const conn = await SchemaConnection.open('127.0.0.1', broker.port);
  const versions = await conn.call(18, 0, {});
  const advertised = new Map(
    (versions.ApiKeys as Value[]).map((k) => [k.ApiKey as number, [k.MinVersion as number, k.MaxVersion as number] as [number, number]]),
  );
  world = { conn, served: advertised, nodeId: -1, port: broker.port, logDir: '', topic: 'conformance', topicId: Buffer.alloc(16), produced: [] };
  await createTopic(world, world.topic);
  const metadata = await conn.call(3, advertised.get(3)![1], { Topics: [{ TopicId: Buffer.alloc(16), Name: world.topic }], AllowAutoTopicCreation: false });
  world.nodeId = (metadata.Brokers as Value[])[0]!.NodeId as number;
  world.topicId = (metadata.Topics as Value[])[0]!.TopicId as Buffer;
  const dirs = await conn.call(35, advertised.get(35)![1], { Topics: null });
  world.logDir = (dirs.Results as Value[])[0]!.LogDir as string;
}, 60_000);

afterAll(async () => {
  world?.conn.close();
  await broker?.stop();
});

describe('ApiVersions', () => {
  it('advertises exactly what the handler table serves', () => {
    expect(world.served).toEqual(new Map(served.map((a) => [a.apiKey, [a.minVersion, a.maxVersion]])));
  });

  it("covers Kafka's whole version range of every API it serves, and checks every one of them", () => {
    const gaps: string[] = [];
    for (const { apiKey, minVersion, maxVersion } of served) {
      const kafka = kafkaApis().get(apiKey);
      if (kafka === undefined) gaps.push(`API ${apiKey} is not a Kafka API`);
      else if (minVersion !== kafka.minVersion || maxVersion !== kafka.maxVersion) {
        gaps.push(`${kafka.name}: serves v${minVersion}-${maxVersion}, Kafka accepts v${kafka.minVersion}-${kafka.maxVersion}`);
      }
      if (!SCENARIOS.has(apiKey)) gaps.push(`${kafka?.name ?? apiKey}: no conformance scenario`);
    }
    expect(gaps).toEqual([]);
  });
});

const inScenarioOrder = [...served].sort((a, b) => [...SCENARIOS.keys()].indexOf(a.apiKey) - [...SCENARIOS.keys()].indexOf(b.apiKey));

for (const { apiKey, maxVersion } of inScenarioOrder) {
  const kafka = kafkaApis().get(apiKey);
  const scenario = SCENARIOS.get(apiKey);
  if (kafka === undefined || scenario === undefined) continue;
  const versions = Array.from({ length: maxVersion - kafka.minVersion + 1 }, (_, i) => kafka.minVersion + i);
  describe(kafka.name, () => {
    it.each(versions)(
      'v%i',
      async (version) => {
        if (world.conn.closed) world.conn = await SchemaConnection.open('127.0.0.1', broker.port);
        await scenario(world, version);
      },
      30_000,
    );
  });
}

describe('pipelined probing', () => {
  it('answers ApiVersions v0 and Metadata v0 written in one packet, both, in order', async () => {
    if (world.conn.closed) world.conn = await SchemaConnection.open('127.0.0.1', broker.port);
    const [versions, metadata] = await world.conn.pipeline([
      { apiKey: 18, version: 0, body: {} },
      { apiKey: 3, version: 0, body: { Topics: [{ Name: world.topic }] } },
    ]);
    expect(versions!.ErrorCode).toBe(0);
    expect((metadata!.Topics as Value[]).map((t) => [t.Name, t.ErrorCode])).toEqual([[world.topic, 0]]);
  });
});
