// The etcd client's TLS files: read into the etcd3 client's credentials (Node's default CAs without a CA file),
// each bad file refused in one line naming its key, and the contradictions between the keys and the endpoints'
// scheme found when the config is read and again when a client opens.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { openClusterEtcd } from '../../src/cluster/etcd-client.js';
import { type EtcdTlsFiles, etcdTlsProblems, NO_ETCD_TLS_FILES, readEtcdTlsCredentials } from '../../src/cluster/etcd-tls.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';

let certs: TestCertificates;
let clientFiles: EtcdTlsFiles;
beforeAll(() => {
  certs = makeTestCertificates();
  clientFiles = { etcdSslCaLocation: certs.ca, etcdSslCertificateLocation: certs.client.cert, etcdSslKeyLocation: certs.client.key };
});

const pem = (text: Buffer | undefined): string => text?.toString('utf8') ?? '';

describe('etcd TLS credentials', () => {
  it('hold the CA, the client certificate and its key', () => {
    const credentials = readEtcdTlsCredentials(clientFiles);
    expect(pem(credentials.rootCertificate)).toMatch(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/);
    expect(pem(credentials.certChain)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(pem(credentials.privateKey)).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("trust Node's default CAs without a CA file, and present no certificate without one", () => {
    const credentials = readEtcdTlsCredentials(NO_ETCD_TLS_FILES);
    expect(pem(credentials.rootCertificate)).toBe(rootCertificates.join('\n'));
    expect(credentials.certChain).toBeUndefined();
    expect(credentials.privateKey).toBeUndefined();
  });

  it('refuse each bad file in one line naming its key', () => {
    const garbage = join(certs.dir, 'garbage.pem');
    writeFileSync(garbage, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const refusal = (files: Partial<EtcdTlsFiles>): string => {
      try {
        readEtcdTlsCredentials({ ...clientFiles, ...files });
      } catch (error) {
        return (error as Error).message;
      }
      return 'read';
    };
    const missing = join(certs.dir, 'missing.pem');
    expect(refusal({ etcdSslCaLocation: missing })).toBe(`fjord.etcd.ssl.ca.location ${missing} cannot be read: ENOENT`);
    expect(refusal({ etcdSslCaLocation: certs.client.key })).toBe(`fjord.etcd.ssl.ca.location ${certs.client.key} holds no PEM certificate`);
    expect(refusal({ etcdSslCaLocation: garbage })).toMatch(new RegExp(`^fjord\\.etcd\\.ssl\\.ca\\.location ${garbage}: .+$`));
    expect(refusal({ etcdSslCertificateLocation: certs.client.key })).toBe(`fjord.etcd.ssl.certificate.location ${certs.client.key} holds no PEM certificate`);
    expect(refusal({ etcdSslKeyLocation: certs.client.cert })).toBe(`fjord.etcd.ssl.key.location ${certs.client.cert} must hold one PEM private key, found 0`);
    expect(refusal({ etcdSslKeyLocation: certs.encryptedBrokerKeystore })).toBe(
      `fjord.etcd.ssl.key.location ${certs.encryptedBrokerKeystore} holds an encrypted private key: etcd's client key must not be encrypted`,
    );
    expect(refusal({ etcdSslKeyLocation: certs.otherClient.key })).toMatch(
      new RegExp(
        `^fjord\\.etcd\\.ssl\\.key\\.location ${certs.otherClient.key} with fjord\\.etcd\\.ssl\\.certificate\\.location ${certs.client.cert}: .*key values mismatch`,
      ),
    );
    expect(refusal({ etcdSslCertificateLocation: garbage })).toMatch(
      /^fjord\.etcd\.ssl\.key\.location .+ with fjord\.etcd\.ssl\.certificate\.location .+: .+$/,
    );
    for (const files of [{ etcdSslCaLocation: garbage }, { etcdSslKeyLocation: certs.otherClient.key }]) expect(refusal(files)).not.toContain('\n');
  });
});

describe('etcd TLS keys and endpoints', () => {
  const https = ['https://etcd-1:2379', 'https://etcd-2:2379'];

  it('need a certificate and its key together', () => {
    expect(etcdTlsProblems(https, clientFiles)).toEqual([]);
    expect(etcdTlsProblems(https, { ...clientFiles, etcdSslKeyLocation: '' })).toEqual([
      'fjord.etcd.ssl.certificate.location is set without fjord.etcd.ssl.key.location: a client certificate needs its private key, and the key its certificate',
    ]);
    expect(etcdTlsProblems(https, { ...clientFiles, etcdSslCertificateLocation: '' })).toEqual([
      'fjord.etcd.ssl.key.location is set without fjord.etcd.ssl.certificate.location: a client certificate needs its private key, and the key its certificate',
    ]);
  });

  it('need https:// endpoints, and TLS files are optional with them', () => {
    const notHttps = expect.stringMatching(/^fjord\.etcd\.ssl\.\* files are set but fjord\.etcd\.endpoints has no https:\/\/ endpoints/);
    expect(etcdTlsProblems(['http://etcd-1:2379'], clientFiles)).toEqual([notHttps]);
    expect(etcdTlsProblems([], { ...NO_ETCD_TLS_FILES, etcdSslCaLocation: certs.ca })).toEqual([notHttps]);
    expect(etcdTlsProblems(https, NO_ETCD_TLS_FILES)).toEqual([]);
    expect(etcdTlsProblems(['http://etcd-1:2379'], NO_ETCD_TLS_FILES)).toEqual([]);
  });

  it('are checked when a client opens', () => {
    expect(() => openClusterEtcd({ endpoints: ['http://etcd-1:2379', 'https://etcd-2:2379'], clusterName: 'c' })).toThrow(
      'etcd endpoints http://etcd-1:2379,https://etcd-2:2379 mix http:// and https://: list every endpoint with one scheme',
    );
    expect(() => openClusterEtcd({ endpoints: ['http://etcd-1:2379'], clusterName: 'c', tls: clientFiles })).toThrow(/has no https:\/\/ endpoints/);
    expect(() => openClusterEtcd({ endpoints: https, clusterName: 'c', tls: { ...clientFiles, etcdSslKeyLocation: certs.client.cert } })).toThrow(
      /^fjord\.etcd\.ssl\.key\.location .+ must hold one PEM private key, found 0$/,
    );
  });
});
