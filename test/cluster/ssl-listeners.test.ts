// Listeners in a cluster: three brokers, each with a PLAINTEXT, an SSL and a SASL_PLAINTEXT listener, register all
// of them in etcd, and every broker's Metadata gives a client the addresses of the listener it came in on (kcat over
// SSL is sent to the other brokers' SSL ports, over PLAINTEXT to their PLAINTEXT ports); a replicated topic is
// produced and consumed over SSL, replicated between the brokers over mutual TLS (a plaintext peer is refused); a
// user created through one broker authenticates on every broker.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { kcat } from '../helpers/kcat.js';
import { createScramUser } from '../helpers/scram-users.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';
import { waitUntil } from '../helpers/wait-until.js';

let certs: TestCertificates;
let cluster: BrokerCluster;
beforeAll(async () => {
  certs = makeTestCertificates();
  cluster = await BrokerCluster.start({
    brokers: 3,
    settings: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'ssl.keystore.location': certs.broker.keystore,
      'ssl.truststore.location': certs.ca,
      'fjord.replication.security.protocol': 'SSL',
      'default.replication.factor': '3',
    },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

const ssl = (): string[] => ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${certs.ca}`];
const portsOf = (listener: string): Array<{ id: number; name: string }> =>
  [1, 2, 3].map((id) => ({ id, name: `127.0.0.1:${cluster.brokers.get(id)!.proc.listenerPorts[listener]}` }));

describe('listeners in a cluster', () => {
  it("answer Metadata with every broker's address on the listener the client came in on", async () => {
    const sslOf1 = `127.0.0.1:${cluster.brokers.get(1)!.proc.listenerPorts.SSL}`;
    const brokersSeen = (args: string[]): Array<{ id: number; name: string }> => {
      const listing = kcat([...args, '-L', '-J']);
      return listing.status === 0 ? (JSON.parse(listing.stdout) as { brokers: Array<{ id: number; name: string }> }).brokers : [];
    };
    const byId = (list: Array<{ id: number; name: string }>) => [...list].sort((a, b) => a.id - b.id);
    await waitUntil(() => brokersSeen(['-b', sslOf1, ...ssl()]).length === 3, 'three brokers in Metadata over SSL');
    expect(byId(brokersSeen(['-b', sslOf1, ...ssl()]))).toEqual(portsOf('SSL'));
    expect(byId(brokersSeen(['-b', cluster.brokers.get(2)!.bootstrap]))).toEqual(portsOf('PLAINTEXT'));
  });

  it('produce and consume a replicated topic over SSL', () => {
    const bootstrap = portsOf('SSL')
      .map((b) => b.name)
      .join(',');
    const produced = kcat(['-b', bootstrap, ...ssl(), '-P', '-t', 'ssl-replicated', '-X', 'acks=all', '-K', ':'], 'a:1\nb:2\nc:3\n');
    expect(produced.status, produced.stderr).toBe(0);
    const consumed = kcat(['-b', bootstrap, ...ssl(), '-C', '-t', 'ssl-replicated', '-o', 'beginning', '-e', '-f', '%k=%s\n']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('replicate over mutual TLS: every follower joins the ISR, and a plaintext peer is refused', async () => {
    const bootstrap = portsOf('SSL')[0]!.name;
    const isrSizes = (): number[] => {
      const listing = kcat(['-b', bootstrap, ...ssl(), '-L', '-J', '-t', 'ssl-replicated']);
      if (listing.status !== 0) return [];
      const topic = (JSON.parse(listing.stdout) as { topics: Array<{ partitions: Array<{ isrs: unknown[] }> }> }).topics[0];
      return topic?.partitions.map((p) => p.isrs.length) ?? [];
    };
    await waitUntil(() => {
      const sizes = isrSizes();
      return sizes.length > 0 && sizes.every((n) => n === 3);
    }, 'every partition of ssl-replicated with three in-sync replicas');
    const broker1 = cluster.brokers.get(1)!.proc;
    const bound = broker1.logLines.find((l) => l.msg === 'replication listener bound')!;
    expect(bound.tls).toBe(true);
    const port = Number(String(bound.replicationListener).split(':').at(-1));
    const socket = connect(port, '127.0.0.1');
    socket.write(Buffer.from('0000000a00120000000000010000', 'hex'));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await waitUntil(() => broker1.logLines.some((l) => String(l.msg).startsWith('TLS handshake failed')), 'the refused plaintext peer logged');
  });

  it('authenticate a user created through broker 1 on every broker', async () => {
    await createScramUser(cluster.brokers.get(1)!.bootstrap, 'carol', 'SCRAM-SHA-512', 'carol-secret');
    const sasl = [
      '-X',
      'security.protocol=sasl_plaintext',
      '-X',
      'sasl.mechanisms=SCRAM-SHA-512',
      '-X',
      'sasl.username=carol',
      '-X',
      'sasl.password=carol-secret',
    ];
    for (const { name } of portsOf('SASL_PLAINTEXT')) {
      await waitUntil(() => kcat(['-b', name, ...sasl, '-L', '-m', '3'], undefined, 15_000).status === 0, `carol authenticated at ${name}`);
    }
  });
});
