// Users' SCRAM credentials in a cluster: a user created through broker 1 is listed by broker 2 (both read etcd's
// security/scram/ prefix), a deletion through broker 2 is seen by broker 1, and a restarted broker reads them back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/kafka-client.js';
import { deleteScramUser, listScramUsers, upsertScramUser } from '../../src/client/scram-users.js';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { waitUntil } from '../helpers/wait-until.js';

let cluster: BrokerCluster;
const clients: KafkaClient[] = [];
beforeAll(async () => {
  cluster = await BrokerCluster.start({ brokers: 2 });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

/** A client that only knows broker `nodeId` (bootstrap and any-broker calls go there first). */
function clientOf(nodeId: number): KafkaClient {
  const client = new KafkaClient({ bootstrapServers: [cluster.brokers.get(nodeId)!.proc.bootstrap], retryTimeoutMs: 10_000 });
  clients.push(client);
  return client;
}

/** DescribeUserScramCredentials asked of broker `nodeId` itself. */
async function usersAt(nodeId: number): Promise<string[]> {
  const client = clientOf(nodeId);
  const broker = await client.broker(nodeId);
  const { body } = await broker.call(50, { users: null });
  return body.results.flatMap((r) => r.credentialInfos.map((c) => `${r.user}:${c.mechanism}:${c.iterations}`));
}

describe('SCRAM users in a cluster', () => {
  it('lists on broker 2 a user created through broker 1, and the other way round for a deletion', async () => {
    await upsertScramUser(clientOf(1), 'alice', 'SCRAM-SHA-256', Buffer.from('alice-secret'));
    await upsertScramUser(clientOf(1), 'alice', 'SCRAM-SHA-512', Buffer.from('alice-secret'), 8192);
    expect(await usersAt(1)).toEqual(['alice:1:4096', 'alice:2:8192']);
    await waitUntil(async () => (await usersAt(2)).length === 2, 'broker 2 to list alice', 10_000);
    expect(await listScramUsers(clientOf(2))).toEqual([
      { user: 'alice', mechanism: 'SCRAM-SHA-256', iterations: 4096 },
      { user: 'alice', mechanism: 'SCRAM-SHA-512', iterations: 8192 },
    ]);

    await deleteScramUser(clientOf(2), 'alice', 'SCRAM-SHA-256');
    expect(await usersAt(2)).toEqual(['alice:2:8192']);
    await waitUntil(async () => (await usersAt(1)).length === 1, 'broker 1 to see the deletion', 10_000);
  });

  it('reads the credentials back from etcd when a broker restarts', async () => {
    await cluster.brokers.get(2)!.restart();
    expect(await usersAt(2)).toEqual(['alice:2:8192']);
  }, 60_000);
});
