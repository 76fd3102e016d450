// The listener keys: several named listeners, each with a security protocol from listener.security.protocol.map,
// advertised addresses per name, and every contradiction between them refused in one line.
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { problemsOf } from './config-problems.js';

describe('listener keys', () => {
  it('read several named listeners (names upper-cased), their protocols and advertised addresses', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['listeners', 'PLAINTEXT://127.0.0.1:9092, ssl://[::1]:9093,INTERNAL://:9094'],
        ['advertised.listeners', 'SSL://broker.example:19093'],
        ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:plaintext'],
        ['ssl.keystore.location', '/etc/fjord/keystore.pem'],
      ]),
    );
    expect(config.listeners).toEqual([
      { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 },
      { name: 'SSL', host: '::1', port: 9093 },
      { name: 'INTERNAL', host: '0.0.0.0', port: 9094 },
    ]);
    expect(config.advertisedListeners).toEqual([{ name: 'SSL', host: 'broker.example', port: 19093 }]);
    expect(config.listenerProtocols.get('INTERNAL')).toBe('PLAINTEXT');
    expect(config.effective.listeners).toBe('PLAINTEXT://127.0.0.1:9092,SSL://[::1]:9093,INTERNAL://0.0.0.0:9094');
    expect(config.effective['listener.security.protocol.map']).toBe('PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:PLAINTEXT');
  });

  it('default to one PLAINTEXT listener on 127.0.0.1:9092 and Kafka protocol map', () => {
    const config = resolveBrokerConfig(new Map());
    expect(config.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }]);
    expect(config.advertisedListeners).toEqual([]);
    expect([...config.listenerProtocols]).toEqual([
      ['PLAINTEXT', 'PLAINTEXT'],
      ['SSL', 'SSL'],
      ['SASL_PLAINTEXT', 'SASL_PLAINTEXT'],
      ['SASL_SSL', 'SASL_SSL'],
    ]);
    expect(config.sslClientAuth).toBe('none');
    expect(config.saslEnabledMechanisms).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect([config.authenticationTimeoutMs, config.failedAuthenticationDelayMs]).toEqual([10_000, 100]);
  });

  it('refuse malformed values in one line each', () => {
    expect(problemsOf({ listeners: '' })).toEqual([expect.stringMatching(/^listeners must be a comma-separated list of NAME:\/\/host:port/)]);
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:9092,plaintext://127.0.0.1:9093' })).toEqual([
      'listeners names listener PLAINTEXT more than once; each name must be listed once',
    ]);
    expect(problemsOf({ listeners: '1BAD://127.0.0.1:9092' })).toEqual([expect.stringMatching(/^listeners must be .*got "1BAD:\/\/127\.0\.0\.1:9092"$/)]);
    expect(problemsOf({ 'listener.security.protocol.map': 'PLAINTEXT:TLS' })).toEqual([
      expect.stringMatching(/^listener\.security\.protocol\.map must be NAME:PROTOCOL pairs.*got "PLAINTEXT:TLS"$/),
    ]);
    expect(problemsOf({ 'ssl.client.auth': 'maybe' })).toEqual(['ssl.client.auth must be one of none, requested, required, got "maybe"']);
    expect(problemsOf({ 'sasl.enabled.mechanisms': 'GSSAPI,PLAIN' })).toEqual([
      'sasl.enabled.mechanisms must list mechanisms among PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI,PLAIN" (GSSAPI not supported)',
    ]);
    expect(problemsOf({ 'sasl.enabled.mechanisms': '' })).toEqual([expect.stringMatching(/^sasl\.enabled\.mechanisms must list mechanisms/)]);
    expect(problemsOf({ 'advertised.listeners': 'PLAINTEXT://host:0' })).toEqual(['advertised.listeners has an invalid port 0']);
  });

  it('refuse contradictions between the keys', () => {
    expect(problemsOf({ listeners: 'INTERNAL://127.0.0.1:9092' })).toEqual([
      'listener INTERNAL has no security protocol: add INTERNAL:<protocol> to listener.security.protocol.map',
    ]);
    expect(problemsOf({ listeners: 'SSL://127.0.0.1:9093' })).toEqual([
      'listener SSL uses SSL: ssl.keystore.location must name a PEM file with its private key and certificate chain',
    ]);
    expect(problemsOf({ listeners: 'SASL_SSL://127.0.0.1:9093' })).toEqual([
      'listener SASL_SSL uses SASL_SSL: ssl.keystore.location must name a PEM file with its private key and certificate chain',
    ]);
    expect(problemsOf({ listeners: 'SASL_PLAINTEXT://127.0.0.1:9093' })).toEqual([]);
    expect(problemsOf({ listeners: 'REPLICATION://127.0.0.1:9093', 'listener.security.protocol.map': 'REPLICATION:PLAINTEXT' })).toEqual([
      'listeners cannot name a listener REPLICATION: the replication listener registers under that name',
    ]);
    expect(problemsOf({ 'advertised.listeners': 'SSL://broker:9093' })).toEqual(['advertised.listeners names SSL, which is not one of listeners']);
    expect(problemsOf({ listeners: 'PLAINTEXT://0.0.0.0:9092,SSL://127.0.0.1:9092', 'ssl.keystore.location': '/k.pem' })).toEqual([
      'listener PLAINTEXT (port 9092) and listener SSL (port 9092) cannot share a port',
    ]);
    expect(problemsOf({ listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0', 'ssl.keystore.location': '/k.pem' })).toEqual([]);
    expect(problemsOf({ 'fjord.replication.security.protocol': 'SSL', 'ssl.keystore.location': '/k.pem' })).toEqual([
      "fjord.replication.security.protocol SSL needs ssl.keystore.location (this broker's key and certificate) and ssl.truststore.location (the CAs that signed its peers')",
    ]);
    expect(problemsOf({ 'fjord.replication.security.protocol': 'SSL', 'ssl.keystore.location': '/k.pem', 'ssl.truststore.location': '/ca.pem' })).toEqual([]);
  });
});
