// SSL listeners against real clients: a broker process with a PLAINTEXT and an SSL listener, KafkaJS,
// @platformatic/kafka and kcat (librdkafka) producing and consuming over TLS, Metadata answering each client with
// the addresses of the listener it came in on; certificates a client must refuse (another CA) and, with
// ssl.client.auth=required, client certificates the broker must refuse (none, another CA's, self-signed);
// the broker's certificate replaced on disk and used for new connections without a restart; garbage on the TLS
// port; a keystore that cannot be read stopping the start with one line.
import '../helpers/promise-with-resolvers.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledPath } from '../../src/shared/compiled-path.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';
import { platformaticRoundTrip } from '../helpers/platformatic-round-trip.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ENCRYPTED_KEY_PASSWORD, makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';
import { waitUntil } from '../helpers/wait-until.js';

let certs: TestCertificates;
let broker: BrokerProcess;
let sslAddress: string;
beforeAll(async () => {
  certs = makeTestCertificates();
  broker = await startBrokerProcess({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    'ssl.keystore.location': certs.encryptedBrokerKeystore,
    'ssl.key.password': ENCRYPTED_KEY_PASSWORD,
    'ssl.truststore.location': certs.ca,
    'ssl.client.auth': 'requested',
    'group.initial.rebalance.delay.ms': '0',
  });
  sslAddress = `127.0.0.1:${broker.listenerPorts.SSL}`;
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

const kcatSsl = (ca: string, extra: string[] = []): string[] => ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${ca}`, ...extra];

describe('an SSL listener beside a PLAINTEXT one', () => {
  it('kcat produces and consumes over TLS, and Metadata gives each listener its own address', () => {
    const produced = kcat(['-b', sslAddress, ...kcatSsl(certs.ca), '-P', '-t', 'tls-kcat', '-K', ':'], 'k1:one\nk2:two\nk3:three\n');
    expect(produced.status, produced.stderr).toBe(0);
    const consumed = kcat(['-b', sslAddress, ...kcatSsl(certs.ca), '-C', '-t', 'tls-kcat', '-o', 'beginning', '-e', '-f', '%k=%s@%o\n']);
    expect(consumed.status, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['k1=one@0', 'k2=two@1', 'k3=three@2']);
    const overSsl = kcat(['-b', sslAddress, ...kcatSsl(certs.ca), '-L', '-J']);
    expect(JSON.parse(overSsl.stdout).brokers).toEqual([{ id: 1, name: sslAddress }]);
    const overPlaintext = kcat(['-b', broker.bootstrap, '-L', '-J']);
    expect(JSON.parse(overPlaintext.stdout).brokers).toEqual([{ id: 1, name: broker.bootstrap }]);
  });

  it('serves an encrypted key with ssl.key.password, which DescribeConfigs and the logs never show', async () => {
    const kafka = new Kafka({ clientId: 'fjord-tls', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: 4, name: '1', configNames: ['ssl.key.password'] }] });
    await admin.disconnect();
    const entry = described.resources[0]!.configEntries[0]!;
    expect([entry.configName, entry.configValue, entry.isSensitive]).toEqual(['ssl.key.password', null, true]);
    expect(entry.configSynonyms.every((s) => s.configValue === null)).toBe(true);
    expect(JSON.stringify(broker.logLines)).not.toContain(ENCRYPTED_KEY_PASSWORD);
  });

  it('KafkaJS produces and consumes in a group over TLS with its client certificate', async () => {
    const kafka = new Kafka({
      clientId: 'fjord-tls',
      brokers: [sslAddress],
      ssl: { ca: [readFileSync(certs.ca, 'utf8')], cert: readFileSync(certs.client.cert, 'utf8'), key: readFileSync(certs.client.key, 'utf8') },
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-kafkajs', numPartitions: 2 }] });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'tls-kafkajs', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'tls-group' });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'tls-kafkajs', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await waitUntil(() => seen.length === 20, 'KafkaJS to read 20 records over TLS');
    await consumer.disconnect();
    expect(seen.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
  });

  it('@platformatic/kafka produces and reads back over TLS', async () => {
    const tls = { ca: readFileSync(certs.ca, 'utf8') };
    expect(await platformaticRoundTrip(sslAddress, 'tls-platformatic', 'over tls', { tls })).toEqual({ offset: 0n, read: 'over tls' });
  });

  it('a client that trusts another CA refuses the broker, and the broker keeps serving', () => {
    const refused = kcat(['-b', sslAddress, ...kcatSsl(certs.otherCa), '-L', '-m', '3'], undefined, 15_000);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate verify failed|SSL handshake failed/i);
    expect(kcat(['-b', sslAddress, ...kcatSsl(certs.ca), '-L']).status).toBe(0);
  });

  it('plaintext Kafka bytes on the SSL port end that connection with one log line, and the broker keeps serving', async () => {
    const socket = connect(broker.listenerPorts.SSL!, '127.0.0.1');
    // An ApiVersions v0 request, in the clear.
    socket.write(Buffer.from('0000000a00120000000000010000', 'hex'));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await waitUntil(() => broker.logLines.some((l) => String(l.msg).startsWith('TLS handshake failed')), 'the TLS handshake warning');
    expect(kcat(['-b', sslAddress, ...kcatSsl(certs.ca), '-L']).status).toBe(0);
  });
});

describe('ssl.client.auth=required', () => {
  let strict: BrokerProcess;
  let keystore: string;
  beforeAll(async () => {
    keystore = join(tempDir('fjord-keystore-'), 'keystore.pem');
    copyFileSync(certs.broker.keystore, keystore);
    strict = await startBrokerProcess({
      listeners: 'SSL://127.0.0.1:0',
      'ssl.keystore.location': keystore,
      'ssl.truststore.location': certs.ca,
      'ssl.client.auth': 'required',
    });
  });
  afterAll(async () => {
    expect(await strict.stop()).toBe(0);
  });

  const address = (): string => `127.0.0.1:${strict.port}`;
  const withCert = (pair: { cert: string; key: string }): string[] => ['-X', `ssl.certificate.location=${pair.cert}`, '-X', `ssl.key.location=${pair.key}`];

  it('lets in a client with a certificate from the trusted CA, and no one else', () => {
    const good = kcat(['-b', address(), ...kcatSsl(certs.ca, withCert(certs.client)), '-P', '-t', 'mtls'], 'hello\n');
    expect(good.status, good.stderr).toBe(0);
    for (const refused of [[], withCert(certs.otherClient), withCert(certs.selfSignedClient)]) {
      const result = kcat(['-b', address(), ...kcatSsl(certs.ca, refused), '-L', '-m', '3'], undefined, 15_000);
      expect(result.status).not.toBe(0);
    }
    const read = kcat(['-b', address(), ...kcatSsl(certs.ca, withCert(certs.client)), '-C', '-t', 'mtls', '-o', 'beginning', '-e']);
    expect(read.stdout.trim()).toBe('hello');
  });

  it('serves a replaced certificate to new connections without a restart', async () => {
    copyFileSync(certs.otherBroker.keystore, keystore);
    const trustsOther = (): boolean =>
      kcat(['-b', address(), ...kcatSsl(certs.otherCa, withCert(certs.client)), '-L', '-m', '3'], undefined, 15_000).status === 0;
    await waitUntil(trustsOther, 'the broker to present the new certificate', 20_000);
    // kcat runs synchronously: the broker's log lines are read once the test yields.
    await waitUntil(() => strict.logLines.some((l) => l.msg === 'TLS material reloaded: new connections use it'), 'the reload log line');
    copyFileSync(certs.broker.keystore, keystore);
    await waitUntil(
      () => kcat(['-b', address(), ...kcatSsl(certs.ca, withCert(certs.client)), '-L', '-m', '3'], undefined, 15_000).status === 0,
      'the old certificate back',
      20_000,
    );
  });
});

describe('bad TLS settings', () => {
  it('stop the start with one line naming the key', () => {
    const sets = (extra: Record<string, string>): string[] =>
      Object.entries({ 'log.dirs': tempDir('fjord-bad-tls-'), listeners: 'SSL://127.0.0.1:0', 'fjord.http.listener': '', ...extra }).flatMap(([k, v]) => [
        '--set',
        `${k}=${v}`,
      ]);
    const run = (extra: Record<string, string>) =>
      spawnSync(process.execPath, [compiledPath('src/main'), ...sets(extra)], { encoding: 'utf8', timeout: 30_000 });
    const missing = run({});
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/listener SSL uses SSL: ssl\.keystore\.location must name a PEM file/);
    const unreadable = run({ 'ssl.keystore.location': '/nonexistent/keystore.pem' });
    expect(unreadable.status).not.toBe(0);
    expect(unreadable.stderr).toMatch(/ssl\.keystore\.location \/nonexistent\/keystore\.pem cannot be read: ENOENT/);
    const certOnly = run({ 'ssl.keystore.location': certs.broker.cert });
    expect(certOnly.stderr).toMatch(/must hold one PEM private key and its certificate chain, found 0 key\(s\) and 1 certificate\(s\)/);
  });
});
