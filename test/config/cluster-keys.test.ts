// The keys that make a broker a member of an etcd cluster: standalone by default, each bad value in one line,
// etcd over TLS (https:// endpoints, fjord.etcd.ssl.*) and its contradictions, and a wildcard listener refused
// without advertised.listeners once etcd is configured (peers and clients would be told an address they cannot reach).
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { problemsOf } from './config-problems.js';

describe('cluster keys', () => {
  it('default to a standalone broker with no rack', () => {
    const { cluster } = resolveBrokerConfig(new Map());
    expect(cluster).toEqual({
      etcdEndpoints: [],
      etcdSslCaLocation: '',
      etcdSslCertificateLocation: '',
      etcdSslKeyLocation: '',
      clusterName: 'fjord',
      rack: null,
      sessionTimeoutMs: 4000,
      etcdConnectTimeoutMs: 15_000,
      autoLeaderRebalanceEnable: true,
      leaderImbalanceCheckIntervalSeconds: 300,
      leaderImbalancePerBrokerPercentage: 10,
    });
  });

  it('read a list of endpoints, a cluster name and a rack', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['fjord.etcd.endpoints', ' http://10.0.0.1:2379, http://10.0.0.2:2379 ,http://etcd-3:2379'],
        ['fjord.cluster.name', 'prod.eu-1'],
        ['broker.rack', 'eu-1a'],
        ['broker.session.timeout.ms', '4500'],
      ]),
    );
    expect(config.cluster).toMatchObject({
      etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379', 'http://etcd-3:2379'],
      clusterName: 'prod.eu-1',
      rack: 'eu-1a',
      sessionTimeoutMs: 4500,
    });
    expect(config.effective['fjord.etcd.endpoints']).toBe('http://10.0.0.1:2379,http://10.0.0.2:2379,http://etcd-3:2379');
  });

  it('read https:// endpoints with a CA file, a client certificate and its key', () => {
    const tls = {
      'fjord.etcd.endpoints': 'https://etcd-1:2379,https://etcd-2:2379',
      'fjord.etcd.ssl.ca.location': '/etc/fjord/etcd-ca.pem',
      'fjord.etcd.ssl.certificate.location': '/etc/fjord/etcd-client.pem',
      'fjord.etcd.ssl.key.location': '/etc/fjord/etcd-client.key',
    };
    expect(resolveBrokerConfig(new Map(Object.entries(tls))).cluster).toMatchObject({
      etcdEndpoints: ['https://etcd-1:2379', 'https://etcd-2:2379'],
      etcdSslCaLocation: '/etc/fjord/etcd-ca.pem',
      etcdSslCertificateLocation: '/etc/fjord/etcd-client.pem',
      etcdSslKeyLocation: '/etc/fjord/etcd-client.key',
    });
    // Without a CA file, Node's default CAs; without a client certificate, none is presented.
    expect(problemsOf({ 'fjord.etcd.endpoints': 'https://etcd-1:2379' })).toEqual([]);
  });

  it('refuse a mix of schemes, a certificate without its key, and TLS files without https:// endpoints, one line each', () => {
    expect(problemsOf({ 'fjord.etcd.endpoints': 'https://etcd-1:2379,http://etcd-2:2379' })).toEqual([
      'fjord.etcd.endpoints: etcd endpoints https://etcd-1:2379,http://etcd-2:2379 mix http:// and https://: list every endpoint with one scheme',
    ]);
    expect(problemsOf({ 'fjord.etcd.endpoints': 'https://etcd-1:2379', 'fjord.etcd.ssl.certificate.location': '/c.pem' })).toEqual([
      'fjord.etcd.ssl.certificate.location is set without fjord.etcd.ssl.key.location: a client certificate needs its private key, and the key its certificate',
    ]);
    expect(problemsOf({ 'fjord.etcd.endpoints': 'https://etcd-1:2379', 'fjord.etcd.ssl.key.location': '/c.key' })).toEqual([
      'fjord.etcd.ssl.key.location is set without fjord.etcd.ssl.certificate.location: a client certificate needs its private key, and the key its certificate',
    ]);
    const noHttps = "fjord.etcd.ssl.* files are set but fjord.etcd.endpoints has no https:// endpoints: list etcd's https:// client URLs, or drop the files";
    expect(problemsOf({ 'fjord.etcd.endpoints': 'http://etcd-1:2379', 'fjord.etcd.ssl.ca.location': '/ca.pem' })).toEqual([noHttps]);
    expect(problemsOf({ 'fjord.etcd.ssl.ca.location': '/ca.pem' })).toEqual([noHttps]);
  });

  it('name each bad value in one line', () => {
    expect(problemsOf({ 'fjord.etcd.endpoints': 'http://10.0.0.1:2379,10.0.0.2:2379' })).toEqual([
      'fjord.etcd.endpoints: etcd endpoint "10.0.0.2:2379" must look like http://host:port or https://host:port',
    ]);
    expect(problemsOf({ 'fjord.cluster.name': 'a/b' })).toEqual(['fjord.cluster.name: cluster name "a/b" must match [a-zA-Z0-9._-]+']);
    expect(problemsOf({ 'broker.session.timeout.ms': '500' })).toEqual(['broker.session.timeout.ms must be between 1000 and 300000, got 500']);
  });

  it('refuse a wildcard listener with etcd unless advertised.listeners names a host', () => {
    const etcd = { 'fjord.etcd.endpoints': 'http://127.0.0.1:2379', listeners: 'PLAINTEXT://0.0.0.0:9092' };
    expect(problemsOf(etcd)).toEqual([
      expect.stringMatching(/^listener PLAINTEXT binds the wildcard address 0\.0\.0\.0: with fjord\.etcd\.endpoints set, advertised\.listeners must/),
    ]);
    expect(problemsOf({ ...etcd, 'advertised.listeners': 'PLAINTEXT://broker-1:9092' })).toEqual([]);
    expect(problemsOf({ listeners: 'PLAINTEXT://0.0.0.0:9092' })).toEqual([]);
  });
});
