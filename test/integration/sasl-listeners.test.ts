// SASL listeners against real clients: a broker process with a PLAINTEXT listener (where users are created), a
// SASL_PLAINTEXT and a SASL_SSL one; kcat (librdkafka), KafkaJS and @platformatic/kafka authenticate with PLAIN,
// SCRAM-SHA-256 and SCRAM-SHA-512 and produce and consume; wrong passwords and unknown users are refused with
// SASL_AUTHENTICATION_FAILED and one log line that holds no password; before authentication only ApiVersions and
// the SASL requests are answered; a connection that does not authenticate in time is closed; SaslHandshake v0's
// raw tokens work.
import '../helpers/promise-with-resolvers.js';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../broker/raw-client.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';
import { platformaticRoundTrip } from '../helpers/platformatic-round-trip.js';
import { createScramUser } from '../helpers/scram-users.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';
import { waitUntil } from '../helpers/wait-until.js';

const PASSWORD = 'alice-secret-1';
const AUTHENTICATION_TIMEOUT_MS = 1_500;

let certs: TestCertificates;
let broker: BrokerProcess;
let saslPlaintext: string;
let saslSsl: string;
beforeAll(async () => {
  certs = makeTestCertificates();
  broker = await startBrokerProcess({
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    'ssl.keystore.location': certs.broker.keystore,
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'fjord.authentication.timeout.ms': String(AUTHENTICATION_TIMEOUT_MS),
    'group.initial.rebalance.delay.ms': '0',
  });
  saslPlaintext = `127.0.0.1:${broker.listenerPorts.SASL_PLAINTEXT}`;
  saslSsl = `127.0.0.1:${broker.listenerPorts.SASL_SSL}`;
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) await createScramUser(broker.bootstrap, 'alice', mechanism, PASSWORD);
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

const kcatSasl = (mechanism: string, password = PASSWORD, user = 'alice'): string[] => [
  '-X',
  'security.protocol=sasl_plaintext',
  '-X',
  `sasl.mechanisms=${mechanism}`,
  '-X',
  `sasl.username=${user}`,
  '-X',
  `sasl.password=${password}`,
];

describe('SASL listeners', () => {
  it('kcat authenticates with each mechanism, produces and consumes; Metadata names the SASL listener', () => {
    for (const [i, mechanism] of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].entries()) {
      const produced = kcat(['-b', saslPlaintext, ...kcatSasl(mechanism), '-P', '-t', 'sasl-kcat'], `record-${i}\n`);
      expect(produced.status, produced.stderr).toBe(0);
    }
    const consumed = kcat(['-b', saslPlaintext, ...kcatSasl('SCRAM-SHA-512'), '-C', '-t', 'sasl-kcat', '-o', 'beginning', '-e']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['record-0', 'record-1', 'record-2']);
    const listing = kcat(['-b', saslPlaintext, ...kcatSasl('SCRAM-SHA-256'), '-L', '-J']);
    expect(JSON.parse(listing.stdout).brokers).toEqual([{ id: 1, name: saslPlaintext }]);
  });

  it('KafkaJS authenticates over SASL_SSL with SCRAM-SHA-512 and PLAIN, and runs a group', async () => {
    const ssl = { ca: [readFileSync(certs.ca, 'utf8')] };
    const logins = [
      { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORD },
      { mechanism: 'plain', username: 'alice', password: PASSWORD },
    ] as const;
    for (const sasl of logins) {
      const mechanism = sasl.mechanism;
      const kafka = new Kafka({ clientId: `fjord-${mechanism}`, brokers: [saslSsl], ssl, sasl, logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      await producer.send({ topic: `sasl-kafkajs-${mechanism}`, messages: [{ key: 'k', value: mechanism }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `sasl-group-${mechanism}` });
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: `sasl-kafkajs-${mechanism}`, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await waitUntil(() => seen.length === 1, `KafkaJS (${mechanism}) to read its record`);
      await consumer.disconnect();
      expect(seen).toEqual([mechanism]);
    }
  });

  it('@platformatic/kafka authenticates with SCRAM-SHA-256, produces and reads back', async () => {
    const sasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'alice', password: PASSWORD };
    expect(await platformaticRoundTrip(saslPlaintext, 'sasl-platformatic', 'scram', { sasl })).toEqual({ offset: 0n, read: 'scram' });
  });

  it('refuses a wrong password and an unknown user with one log line that holds no password', async () => {
    const wrong = 'not-the-password-42';
    for (const args of [kcatSasl('SCRAM-SHA-256', wrong), kcatSasl('PLAIN', wrong), kcatSasl('SCRAM-SHA-512', PASSWORD, 'mallory')]) {
      const refused = kcat(['-b', saslPlaintext, ...args, '-L', '-m', '3'], undefined, 15_000);
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toMatch(/Authentication failed|SASL authentication error/i);
    }
    const kafka = new Kafka({
      clientId: 'fjord-wrong',
      brokers: [saslPlaintext],
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: wrong },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed|SASL_AUTHENTICATION_FAILED|Authentication failed/i);
    await waitUntil(() => broker.logLines.some((l) => String(l.msg).startsWith('SASL authentication failed')), 'the failed authentication logged');
    const logged = JSON.stringify(broker.logLines);
    expect(logged).not.toContain(wrong);
    expect(logged).not.toContain(PASSWORD);
    // The broker keeps serving everyone else.
    expect(kcat(['-b', saslPlaintext, ...kcatSasl('SCRAM-SHA-256'), '-L']).status).toBe(0);
  });

  it('before authentication answers ApiVersions only and closes on anything else', async () => {
    const client = await RawClient.connect('127.0.0.1', broker.listenerPorts.SASL_PLAINTEXT!);
    const versions = await client.call(18, 0, {});
    expect(versions.errorCode).toBe(0);
    expect(versions.apiKeys.some((a) => a.apiKey === 36)).toBe(true);
    void client.call(3, 1, { topics: null });
    expect(await client.closed()).toBe('closed');
  });

  it('closes a connection that has not authenticated in time', async () => {
    const client = await RawClient.connect('127.0.0.1', broker.listenerPorts.SASL_PLAINTEXT!);
    const startedMs = performance.now();
    await client.closed();
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(AUTHENTICATION_TIMEOUT_MS - 100);
  });

  it('takes raw tokens after a SaslHandshake v0 (PLAIN), then serves requests as alice', async () => {
    const client = await RawClient.connect('127.0.0.1', broker.listenerPorts.SASL_PLAINTEXT!);
    const handshake = await client.call(17, 0, { mechanism: 'PLAIN' });
    expect(handshake.errorCode).toBe(0);
    expect(handshake.mechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    const answer = await client.token(Buffer.from(`\0alice\0${PASSWORD}`));
    expect(answer.length).toBe(0);
    const metadata = await client.call(3, 1, { topics: [] });
    expect(metadata.brokers.map((b) => b.port)).toEqual([broker.listenerPorts.SASL_PLAINTEXT]);
    client.close();
  });

  it('on the PLAINTEXT listener answers SASL requests with ILLEGAL_SASL_STATE and goes on', async () => {
    const client = await RawClient.connect('127.0.0.1', broker.port);
    expect((await client.call(17, 1, { mechanism: 'PLAIN' })).errorCode).toBe(34);
    expect((await client.call(3, 1, { topics: [] })).brokers).toHaveLength(1);
    client.close();
  });
});
