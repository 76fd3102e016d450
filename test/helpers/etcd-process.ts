// Real etcd server processes for tests, started by the product's src/embedding/etcd-server.ts on 127.0.0.1 with
// free ports and a temp data dir each, plain http:// unless given TLS files (then https:// with client-certificate
// auth); every one still running is killed when the test file ends. Test helper, like broker-process.ts.
import { afterAll } from 'vitest';
import { type EtcdServer, type EtcdServerTls, freePort, startEtcdServers } from '../../src/embedding/etcd-server.js';
import { tempDir } from './temp-dir.js';

export type EtcdProcess = EtcdServer;
const started = new Set<EtcdServer>();
afterAll(async () => {
  await Promise.all([...started].map((etcd) => etcd.kill()));
});

/** A port that refuses connections: an endpoint of an etcd member that is down. */
export async function deadEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** One etcd member (https:// with client-certificate auth when given `tls`); `startEtcdCluster` for several. */
export async function startEtcdProcess(dataDir = tempDir('fjord-etcd-'), tls?: EtcdServerTls): Promise<EtcdProcess> {
  const [member] = await startEtcdCluster(1, [dataDir], tls);
  return member!;
}

/** `size` etcd members forming one cluster (each needs the others for a quorum, so all start at once). */
export async function startEtcdCluster(
  size: number,
  dataDirs = Array.from({ length: size }, () => tempDir('fjord-etcd-')),
  tls?: EtcdServerTls,
): Promise<EtcdProcess[]> {
  const members = await startEtcdServers(dataDirs, undefined, tls);
  for (const member of members) started.add(member);
  return members;
}
