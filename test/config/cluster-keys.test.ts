// The keys that make a broker a member of an etcd cluster: standalone by default, each bad value in one line,
// and a wildcard listener refused without advertised.listeners once etcd is configured (peers and clients
// would be told an address they cannot reach).
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { problemsOf } from './config-problems.js';

describe('cluster keys', () => {
  it('default to a standalone broker with no rack', () => {
    const { cluster } = resolveBrokerConfig(new Map());
    expect(cluster).toEqual({
      etcdEndpoints: [],
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
        ['fjord.etcd.endpoints', ' http://10.0.0.1:2379, http://10.0.0.2:2379 ,https://etcd-3:2379'],
        ['fjord.cluster.name', 'prod.eu-1'],
        ['broker.rack', 'eu-1a'],
        ['broker.session.timeout.ms', '4500'],
      ]),
    );
    expect(config.cluster).toMatchObject({
      etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379', 'https://etcd-3:2379'],
      clusterName: 'prod.eu-1',
      rack: 'eu-1a',
      sessionTimeoutMs: 4500,
    });
    expect(config.effective['fjord.etcd.endpoints']).toBe('http://10.0.0.1:2379,http://10.0.0.2:2379,https://etcd-3:2379');
  });

  it('name each bad value in one line', () => {
    expect(problemsOf({ 'fjord.etcd.endpoints': 'http://10.0.0.1:2379,10.0.0.2:2379' })).toEqual([
      'fjord.etcd.endpoints: etcd endpoint "10.0.0.2:2379" must look like http://host:port',
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
