// Start-up checks of the observability and replication keys: the admin HTTP listener's address (http or https,
// https only with a keystore) and authentication mode, log
// format, metrics bounds, the replication keys a standalone broker can honour, and contradictions
// between keys (min.insync.replicas above the replication factor, a shared port, a wildcard advertised
// host, a log dir listed twice), each reported in one line, all at once.
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { problemsOf } from './config-problems.js';

describe('admin HTTP listener, log format and metrics keys', () => {
  it('defaults to http://127.0.0.1:9644, auto log format and bounded metrics', () => {
    const config = resolveBrokerConfig(new Map());
    expect(config.httpListener).toEqual({ scheme: 'http', host: '127.0.0.1', port: 9644 });
    expect(config.effective['fjord.http.listener']).toBe('http://127.0.0.1:9644');
    expect(config.httpAuthentication).toBe('auto');
    expect(config.logFormat).toBe('auto');
    expect(config.metrics).toEqual({ topicLabelsMax: 1000, lagGroupsMax: 100 });
    expect(config.defaultReplicationFactor).toBe(1);
  });

  it('reads port 0, IPv6 hosts and empty (off)', () => {
    expect(resolveBrokerConfig(new Map([['fjord.http.listener', 'http://0.0.0.0:0']])).httpListener).toEqual({ scheme: 'http', host: '0.0.0.0', port: 0 });
    expect(resolveBrokerConfig(new Map([['fjord.http.listener', 'http://[::1]:9700']])).effective['fjord.http.listener']).toBe('http://[::1]:9700');
    const off = resolveBrokerConfig(new Map([['fjord.http.listener', '']]));
    expect([off.httpListener, off.effective['fjord.http.listener']]).toEqual([null, '']);
  });

  it('reads https:// with a keystore, and the authentication modes', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['fjord.http.listener', 'https://[::1]:9700/'],
        ['ssl.keystore.location', '/etc/fjord/keystore.pem'],
        ['fjord.http.authentication', 'required'],
      ]),
    );
    expect(config.httpListener).toEqual({ scheme: 'https', host: '::1', port: 9700 });
    expect(config.effective['fjord.http.listener']).toBe('https://[::1]:9700');
    expect(config.httpAuthentication).toBe('required');
    expect(resolveBrokerConfig(new Map([['fjord.http.authentication', 'none']])).httpAuthentication).toBe('none');
  });

  it('names each bad value', () => {
    expect(problemsOf({ 'fjord.http.listener': '127.0.0.1:9644' })).toEqual([
      'fjord.http.listener must be http://host:port or https://host:port (or empty to turn it off), got "127.0.0.1:9644"',
    ]);
    expect(problemsOf({ 'fjord.http.listener': 'https://127.0.0.1:9644' })).toEqual([
      'fjord.http.listener https://127.0.0.1:9644 serves TLS: ssl.keystore.location must name a PEM file with its private key and certificate chain',
    ]);
    expect(problemsOf({ 'fjord.http.listener': 'HTTPS://127.0.0.1:9644' })).toHaveLength(1);
    expect(problemsOf({ 'fjord.http.authentication': 'basic' })).toEqual(['fjord.http.authentication must be one of auto, required, none, got "basic"']);
    expect(problemsOf({ 'fjord.http.listener': 'http://127.0.0.1:70000' })).toEqual(['fjord.http.listener has an invalid port 70000']);
    expect(problemsOf({ 'fjord.log.format': 'yaml' })).toEqual(['fjord.log.format must be one of auto, json, pretty, got "yaml"']);
    expect(problemsOf({ 'fjord.metrics.lag.groups.max': '-1' })).toEqual([expect.stringMatching(/^fjord.metrics.lag.groups.max must be between 0 and/)]);
  });
});

describe('contradictions', () => {
  it('a standalone broker holds one replica: replication factors above 1 are refused', () => {
    expect(problemsOf({ 'default.replication.factor': '3' })).toEqual([
      'default.replication.factor must be 1 on a standalone broker (it holds the only replica of every partition), got 3',
    ]);
    expect(problemsOf({ 'offsets.topic.replication.factor': '3' })).toEqual([
      'offsets.topic.replication.factor must be 1 on a standalone broker (it holds the only replica of every partition), got 3',
    ]);
  });

  it('min.insync.replicas above the replication factor could never accept acks=all', () => {
    expect(problemsOf({ 'min.insync.replicas': '2' })).toEqual([
      'min.insync.replicas (2) must not exceed default.replication.factor (1): acks=all produces could never succeed',
    ]);
    expect(problemsOf({ 'min.insync.replicas': '2', 'default.replication.factor': '3' })).toEqual([
      'default.replication.factor must be 1 on a standalone broker (it holds the only replica of every partition), got 3',
      'min.insync.replicas (2) must be 1 on a standalone broker: acks=all produces could never succeed',
    ]);
  });

  it('the admin and Kafka listeners cannot share a port; clients cannot be sent to a wildcard host', () => {
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:9644' })).toEqual([
      'listener PLAINTEXT (port 9644) and fjord.http.listener (port 9644) cannot share a port',
    ]);
    expect(problemsOf({ listeners: 'PLAINTEXT://0.0.0.0:9700', 'fjord.http.listener': 'http://127.0.0.1:9700' })).toHaveLength(1);
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:9700', 'fjord.http.listener': 'http://127.0.0.2:9700' })).toEqual([]);
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:0', 'fjord.http.listener': 'http://127.0.0.1:0' })).toEqual([]);
    expect(problemsOf({ 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' })).toEqual([
      'advertised.listeners cannot use the wildcard address 0.0.0.0: clients need a host they can connect to',
    ]);
  });

  it('a log dir listed twice (after resolving the path) is refused', () => {
    expect(problemsOf({ 'log.dirs': '/data/a,/data/b,/data/./a' })).toEqual(['log.dirs names /data/a more than once; each dir must be listed once']);
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf({ 'fjord.log.format': 'yaml', 'default.replication.factor': 'two', 'fjord.http.listener': 'nope' });
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => !p.includes('\n'))).toBe(true);
  });
});
