// Golden frames captured from real clients (see client-capture.test.ts): each decodes to the field values the
// client was asked to send, and re-encoding the decoded header and body gives back the identical bytes; the SASL
// tokens among them are accepted by src/security's PLAIN and SCRAM servers.
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest, type ApiKey } from '../../../src/protocol/api-registry.js';
import { ZERO_UUID } from '../../../src/protocol/codec/reader.js';
import { PlainServer } from '../../../src/security/sasl-plain.js';
import { deriveScramCredential } from '../../../src/security/scram-credentials.js';
import { ScramServer } from '../../../src/security/scram-server.js';
import { computeBatchCrc, storedBatchCrc, batchSizeAt } from '../../../src/shared/record-batch.js';
import { goldenFileNames, readGolden } from './golden-files.js';

const KAFKAJS_ID = 'fjord-golden-kafkajs';
const PLATFORMATIC_ID = 'fjord-golden-platformatic';
const TOPIC = 'golden-topic';
const GROUP = 'golden-group';
const CONFIGS = [{ name: 'cleanup.policy', value: 'compact' }];
const SASL_USER = 'golden-user';
const SASL_PASSWORD = 'golden-password';

interface Expected {
  header: { apiKey: number; apiVersion: number; correlationId: number; clientId: string };
  body: Record<string, unknown>;
}

const expected: Record<string, Expected> = {
  'kafkajs-2.2.4-api-versions-v2.hex': {
    header: { apiKey: 18, apiVersion: 2, correlationId: 0, clientId: KAFKAJS_ID },
    body: { clientSoftwareName: '', clientSoftwareVersion: '' },
  },
  'kafkajs-2.2.4-metadata-v6.hex': {
    header: { apiKey: 3, apiVersion: 6, correlationId: 1, clientId: KAFKAJS_ID },
    body: { topics: [{ topicId: ZERO_UUID, name: TOPIC }], allowAutoTopicCreation: false },
  },
  'kafkajs-2.2.4-produce-v7.hex': {
    header: { apiKey: 0, apiVersion: 7, correlationId: 2, clientId: KAFKAJS_ID },
    body: { transactionalId: null, acks: 1, timeoutMs: 30000, topicData: [{ name: TOPIC, partitionData: [{ index: 0 }] }] },
  },
  'kafkajs-2.2.4-create-topics-v3.hex': {
    header: { apiKey: 19, apiVersion: 3, correlationId: 2, clientId: KAFKAJS_ID },
    body: {
      topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: CONFIGS }],
      timeoutMs: 5000,
      validateOnly: false,
    },
  },
  'kafkajs-2.2.4-find-coordinator-v2.hex': {
    header: { apiKey: 10, apiVersion: 2, correlationId: 2, clientId: KAFKAJS_ID },
    body: { key: GROUP, keyType: 0, coordinatorKeys: [] },
  },
  'kafkajs-2.2.4-join-group-v5.hex': {
    header: { apiKey: 11, apiVersion: 5, correlationId: 3, clientId: KAFKAJS_ID },
    body: {
      groupId: GROUP,
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'RoundRobinAssigner' }],
    },
  },
  'kafkajs-2.2.4-sasl-handshake-v1.hex': {
    header: { apiKey: 17, apiVersion: 1, correlationId: 1, clientId: KAFKAJS_ID },
    body: { mechanism: 'PLAIN' },
  },
  'kafkajs-2.2.4-sasl-authenticate-v1.hex': {
    header: { apiKey: 36, apiVersion: 1, correlationId: 2, clientId: KAFKAJS_ID },
    body: { authBytes: Buffer.from(`\0${SASL_USER}\0${SASL_PASSWORD}`) },
  },
  'platformatic-kafka-2.12.1-api-versions-v3.hex': {
    header: { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: PLATFORMATIC_ID },
    body: { clientSoftwareName: 'platformatic-kafka', clientSoftwareVersion: '2.12.1' },
  },
  'platformatic-kafka-2.12.1-metadata-v12.hex': {
    header: { apiKey: 3, apiVersion: 12, correlationId: 2, clientId: PLATFORMATIC_ID },
    body: { topics: [{ topicId: ZERO_UUID, name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false },
  },
  'platformatic-kafka-2.12.1-produce-v9.hex': {
    header: { apiKey: 0, apiVersion: 9, correlationId: 3, clientId: PLATFORMATIC_ID },
    body: { transactionalId: null, acks: 1, timeoutMs: 2000, topicData: [{ name: TOPIC, partitionData: [{ index: 0 }] }] },
  },
  'platformatic-kafka-2.12.1-create-topics-v5.hex': {
    header: { apiKey: 19, apiVersion: 5, correlationId: 2, clientId: PLATFORMATIC_ID },
    body: {
      topics: [{ name: TOPIC, numPartitions: 3, replicationFactor: 1, assignments: [], configs: CONFIGS }],
      timeoutMs: 2000,
      validateOnly: false,
    },
  },
  'platformatic-kafka-2.12.1-find-coordinator-v4.hex': {
    header: { apiKey: 10, apiVersion: 4, correlationId: 2, clientId: PLATFORMATIC_ID },
    body: { keyType: 0, coordinatorKeys: [GROUP] },
  },
  'platformatic-kafka-2.12.1-sasl-handshake-v1.hex': {
    header: { apiKey: 17, apiVersion: 1, correlationId: 2, clientId: PLATFORMATIC_ID },
    body: { mechanism: 'SCRAM-SHA-256' },
  },
  'platformatic-kafka-2.12.1-sasl-authenticate-v2.hex': {
    header: { apiKey: 36, apiVersion: 2, correlationId: 3, clientId: PLATFORMATIC_ID },
    body: {}, // authBytes: a SCRAM client-first with a random nonce (checked below)
  },
  'platformatic-kafka-2.12.1-join-group-v7.hex': {
    header: { apiKey: 11, apiVersion: 7, correlationId: 4, clientId: PLATFORMATIC_ID },
    body: {
      groupId: GROUP,
      sessionTimeoutMs: 60000,
      rebalanceTimeoutMs: 102000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'roundrobin' }],
    },
  },
};

describe('golden frames from real clients', () => {
  it('every stored frame has expectations, and every expectation a frame', () => {
    expect(goldenFileNames()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))('%s decodes to the expected fields', (name) => {
    const decoded = decodeRequest(readGolden(name));
    expect(decoded.header).toEqual(expected[name]!.header);
    expect(decoded.body).toMatchObject(expected[name]!.body);
  });

  it.each(Object.keys(expected))('%s re-encodes to identical bytes', (name) => {
    const frame = readGolden(name);
    const { header, body } = decodeRequest(frame);
    const again = encodeRequest(header.apiKey as ApiKey, header.apiVersion, header.correlationId, header.clientId, body as never);
    expect(again.subarray(4).toString('hex')).toBe(frame.toString('hex'));
  });

  it.each(['kafkajs-2.2.4-produce-v7.hex', 'platformatic-kafka-2.12.1-produce-v9.hex'])(
    '%s carries one whole record batch v2 as a zero-copy slice with a valid CRC',
    (name) => {
      const frame = readGolden(name);
      const decoded = decodeRequest(frame);
      if (decoded.apiKey !== 0) throw new Error('not a Produce request');
      const records = decoded.body.topicData[0]!.partitionData[0]!.records!;
      expect(records.buffer).toBe(frame.buffer);
      expect(batchSizeAt(records, 0)).toBe(records.length);
      expect(records[16]).toBe(2);
      expect(computeBatchCrc(records, 0, records.length)).toBe(storedBatchCrc(records, 0));
    },
  );

  it('the JoinGroup metadata is the opaque consumer-protocol subscription (zero-copy bytes)', () => {
    const frame = readGolden('kafkajs-2.2.4-join-group-v5.hex');
    const decoded = decodeRequest(frame);
    if (decoded.apiKey !== 11) throw new Error('not a JoinGroup request');
    const metadata = decoded.body.protocols[0]!.metadata;
    expect(metadata.buffer).toBe(frame.buffer);
    // ConsumerProtocolSubscription v0: int16 version | int32 topic count | int16 length + topic | bytes userData.
    expect(metadata.readInt16BE(0)).toBe(0);
    expect(metadata.readInt32BE(2)).toBe(1);
    expect(metadata.readInt16BE(6)).toBe(TOPIC.length);
    expect(metadata.toString('utf8', 8, 8 + TOPIC.length)).toBe(TOPIC);
  });

  it("the SASL tokens real clients sent are accepted by Fjord's PLAIN and SCRAM servers", () => {
    const credential = deriveScramCredential('SCRAM-SHA-256', SASL_PASSWORD);
    const credentials = { scram: (user: string) => (user === SASL_USER ? credential : undefined) };
    const authBytes = (name: string): Buffer => {
      const decoded = decodeRequest(readGolden(name));
      if (decoded.apiKey !== 36) throw new Error('not a SaslAuthenticate request');
      return decoded.body.authBytes;
    };
    expect(new PlainServer(credentials).step(authBytes('kafkajs-2.2.4-sasl-authenticate-v1.hex')).principal).toBe(SASL_USER);
    const clientFirst = authBytes('platformatic-kafka-2.12.1-sasl-authenticate-v2.hex').toString();
    const clientNonce = /^n,,n=golden-user,r=([^,]+)$/.exec(clientFirst)?.[1];
    expect(clientNonce).toBeDefined();
    const serverFirst = new ScramServer('SCRAM-SHA-256', credentials).step(Buffer.from(clientFirst)).response.toString().split(',');
    expect(serverFirst[0]!.startsWith(`r=${clientNonce}`)).toBe(true);
    expect(serverFirst.slice(1)).toEqual([`s=${credential.salt.toString('base64')}`, 'i=4096']);
  });
});
