// Brokers and an etcd that speaks only TLS and asks every client for a certificate (--client-cert-auth): two broker
// processes with the CA, a client certificate and its key join it over https:// and serve Metadata naming both; a
// broker without a client certificate, one with a certificate of another CA, and one that does not trust etcd's
// CA each fail to start within fjord.etcd.connect.timeout.ms with one line naming the endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerCluster } from '../helpers/broker-cluster.js';
import { startBrokerProcess } from '../helpers/broker-process.js';
import { type EtcdProcess, startEtcdProcess } from '../helpers/etcd-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';

const CONNECT_TIMEOUT_MS = 2_000;

let certs: TestCertificates;
let etcd: EtcdProcess;
let cluster: BrokerCluster | undefined;
beforeAll(async () => {
  certs = makeTestCertificates();
  etcd = await startEtcdProcess(tempDir('fjord-etcd-tls-'), { certFile: certs.etcdServer.cert, keyFile: certs.etcdServer.key, trustedCaFile: certs.ca });
});
afterAll(async () => {
  await cluster?.stop();
  await etcd?.stop();
});

/** The one line a broker that failed to start printed on stderr. */
async function startFailure(settings: Record<string, string>): Promise<string[]> {
  const error = await startBrokerProcess({
    'fjord.etcd.endpoints': etcd.endpoint,
    'fjord.cluster.name': `etcd-tls-refused-${process.pid}`,
    'fjord.etcd.connect.timeout.ms': String(CONNECT_TIMEOUT_MS),
    ...settings,
  }).then(
    () => null,
    (e: Error) => e,
  );
  expect(error).not.toBeNull();
  return error!.message
    .slice(error!.message.indexOf(': ') + 2)
    .trimEnd()
    .split('\n');
}

describe('etcd over TLS with client certificates', () => {
  it('lets brokers with a client certificate join over https:// and serve', async () => {
    expect(etcd.endpoint).toMatch(/^https:\/\/localhost:\d+$/);
    cluster = await BrokerCluster.start({
      brokers: 2,
      etcd,
      settings: {
        'fjord.etcd.ssl.ca.location': certs.ca,
        'fjord.etcd.ssl.certificate.location': certs.client.cert,
        'fjord.etcd.ssl.key.location': certs.client.key,
      },
    });
    const views = await cluster.waitForMembers([1, 2]);
    expect(views.map((v) => v.brokers.map((b) => b.nodeId))).toEqual([
      [1, 2],
      [1, 2],
    ]);
  });

  it('refuses brokers without a trusted client certificate, or not trusting etcd, within the connect timeout', async () => {
    const refused = (reason: string) =>
      expect.stringMatching(
        new RegExp(
          `^fjord: cannot join the cluster: cannot reach etcd at ${etcd.endpoint} within ${CONNECT_TIMEOUT_MS} ms \\(.*; TLS: fjord\\.etcd\\.ssl\\..*\\): .*${reason}`,
        ),
      );
    const startedMs = Date.now();
    const [noCertificate, otherCa, untrustedServer] = await Promise.all([
      startFailure({ 'fjord.etcd.ssl.ca.location': certs.ca }),
      startFailure({
        'fjord.etcd.ssl.ca.location': certs.ca,
        'fjord.etcd.ssl.certificate.location': certs.otherClient.cert,
        'fjord.etcd.ssl.key.location': certs.otherClient.key,
      }),
      // No CA file: Node's default CAs, which do not include the test CA.
      startFailure({ 'fjord.etcd.ssl.certificate.location': certs.client.cert, 'fjord.etcd.ssl.key.location': certs.client.key }),
    ]);
    // etcd refuses the handshake without a certificate of its CA; the broker refuses etcd's certificate without its CA.
    expect(noCertificate).toEqual([refused('bad certificate')]);
    expect(otherCa).toEqual([refused('bad certificate')]);
    expect(untrustedServer).toEqual([refused('unable to verify the first certificate')]);
    // Each waits out its connect timeout, then gives up (the start of three Node processes comes on top).
    expect(Date.now() - startedMs).toBeLessThan(CONNECT_TIMEOUT_MS + 10_000);
  });

  it('refuses a client key file that cannot be read, in one line', async () => {
    const missing = `${certs.dir}/missing.key`;
    expect(
      await startFailure({
        'fjord.etcd.ssl.ca.location': certs.ca,
        'fjord.etcd.ssl.certificate.location': certs.client.cert,
        'fjord.etcd.ssl.key.location': missing,
      }),
    ).toEqual([`fjord: cannot join the cluster: fjord.etcd.ssl.key.location ${missing} cannot be read: ENOENT`]);
  });
});
