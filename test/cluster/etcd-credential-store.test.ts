// The cluster's SCRAM credential store against a real etcd: two stores on one cluster namespace (two brokers) see
// each other's changes; a change resolves once the writer's own map shows it; a store opened later starts from
// the snapshot; values that do not decode are ignored; keys follow etcd-keys.ts's layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdCredentialStore } from '../../src/cluster/etcd-credential-store.js';
import { scramCredentialKey } from '../../src/cluster/etcd-keys.js';
import { deriveScramCredential, toStoredScramCredential } from '../../src/security/scram-credentials.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { waitUntil } from '../helpers/wait-until.js';
import { connect, newClusterName } from './cluster-etcd.js';

let etcd: EtcdProcess;
beforeAll(async () => {
  etcd = await startEtcdProcess();
});
afterAll(async () => {
  await etcd?.stop();
});

const alice = deriveScramCredential('SCRAM-SHA-256', 'alice-secret');
const alice512 = deriveScramCredential('SCRAM-SHA-512', 'alice-secret');

describe('EtcdCredentialStore', () => {
  it("keeps two brokers' maps in step, each change visible to its writer when it resolves", async () => {
    const name = newClusterName();
    const { logger } = captureLogger();
    const one = await EtcdCredentialStore.open(connect([etcd.endpoint], name), logger);
    const two = await EtcdCredentialStore.open(connect([etcd.endpoint], name), logger);
    expect(one.users()).toEqual(new Map());

    await one.upsert('alice/ops', alice);
    expect(one.scram('alice/ops', 'SCRAM-SHA-256')).toEqual(alice);
    await waitUntil(() => two.scram('alice/ops', 'SCRAM-SHA-256') !== undefined, 'broker 2 to see the upsert', 10_000);
    expect(two.scram('alice/ops', 'SCRAM-SHA-256')).toEqual(alice);

    await two.upsert('alice/ops', alice512);
    expect(two.users().get('alice/ops')).toEqual([
      { mechanism: 'SCRAM-SHA-256', iterations: 4096 },
      { mechanism: 'SCRAM-SHA-512', iterations: 4096 },
    ]);
    await waitUntil(() => one.scram('alice/ops', 'SCRAM-SHA-512') !== undefined, 'broker 1 to see the upsert', 10_000);

    expect(await two.remove('alice/ops', 'SCRAM-SHA-256')).toBe(true);
    expect(two.scram('alice/ops', 'SCRAM-SHA-256')).toBeUndefined();
    expect(await one.remove('alice/ops', 'SCRAM-SHA-256')).toBe(false);
    await waitUntil(() => one.scram('alice/ops', 'SCRAM-SHA-256') === undefined, 'broker 1 to see the removal', 10_000);

    const late = await EtcdCredentialStore.open(connect([etcd.endpoint], name), logger);
    expect(late.users()).toEqual(new Map([['alice/ops', [{ mechanism: 'SCRAM-SHA-512', iterations: 4096 }]]]));
    await Promise.all([one.close(), two.close(), late.close()]);
  });

  it('stores the salted form under security/scram/<user>/<mechanism> and ignores what does not decode', async () => {
    const name = newClusterName();
    const client = connect([etcd.endpoint], name);
    const { logger, lines } = captureLogger();
    const store = await EtcdCredentialStore.open(client, logger);
    await store.upsert('bob', alice);
    expect(scramCredentialKey('alice/ops', 'SCRAM-SHA-256')).toBe('security/scram/alice%2Fops/SCRAM-SHA-256');
    expect(JSON.parse((await client.ns.get('security/scram/bob/SCRAM-SHA-256').string()) ?? 'null')).toEqual(toStoredScramCredential(alice));

    // A broken value replaces a good one: the user no longer has that credential here.
    await client.ns.put('security/scram/bob/SCRAM-SHA-256').value('{"mechanism":"SCRAM-SHA-256"}');
    await client.ns.put('security/scram/carol/SCRAM-SHA-512').value(JSON.stringify(toStoredScramCredential(alice)));
    await waitUntil(
      () => lines.filter((l) => l.msg === 'ignored a SCRAM credential in etcd that does not decode').length === 2,
      'both bad values logged',
      10_000,
    );
    expect(store.users()).toEqual(new Map());
    await store.close();
  });
});
