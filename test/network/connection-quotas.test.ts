// Connection quotas: max.connections over every listener, max.connections.per.ip from one address with per-host
// overrides (0 shutting out all but the addresses named), IPv4-mapped IPv6 addresses counted as IPv4, releases
// freeing room; the overrides key's syntax. Then a real broker process with two listeners refusing the connection
// one over its per-address limit, on either listener, and taking the next once one has closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionQuotas, formatPerIpOverrides, parsePerIpOverrides } from '../../src/network/connection-quotas.js';
import { RawClient } from '../broker/raw-client.js';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { waitUntil } from '../helpers/wait-until.js';

describe('connection quotas', () => {
  it('count every listener together, per address, with overrides', () => {
    const quotas = new ConnectionQuotas({
      maxConnections: 4,
      maxConnectionsPerIp: 2,
      perIpOverrides: new Map([
        ['10.0.0.9', 3],
        ['10.0.0.5', 0],
      ]),
    });
    expect([quotas.admit('10.0.0.1'), quotas.admit('::ffff:10.0.0.1')]).toEqual([null, null]);
    expect(quotas.admit('10.0.0.1')).toEqual({ key: 'max.connections.per.ip', limit: 2 });
    expect(quotas.admit('10.0.0.5')).toEqual({ key: 'max.connections.per.ip', limit: 0 });
    expect([quotas.admit('10.0.0.9'), quotas.admit('10.0.0.9')]).toEqual([null, null]);
    expect(quotas.admit('10.0.0.9')).toEqual({ key: 'max.connections', limit: 4 });
    quotas.release('10.0.0.1');
    expect(quotas.open).toBe(3);
    expect(quotas.admit('10.0.0.9')).toBeNull();
    quotas.release('10.0.0.7');
    expect(quotas.open).toBe(4);
  });

  it('read and write the overrides key', () => {
    const overrides = parsePerIpOverrides('max.connections.per.ip.overrides', ' 10.0.0.7:50, [::1]:10,broker-3:0');
    expect([...overrides]).toEqual([
      ['10.0.0.7', 50],
      ['::1', 10],
      ['broker-3', 0],
    ]);
    expect(formatPerIpOverrides(overrides)).toBe('10.0.0.7:50,[::1]:10,broker-3:0');
    expect(() => parsePerIpOverrides('max.connections.per.ip.overrides', '10.0.0.7')).toThrow(
      'max.connections.per.ip.overrides must be host:count pairs, comma-separated (e.g. 10.0.0.7:50,[::1]:10), got "10.0.0.7"',
    );
  });
});

describe('max.connections.per.ip on a broker', () => {
  let broker: BrokerProcess;
  beforeAll(async () => {
    broker = await startBrokerProcess({
      listeners: 'PLAINTEXT://127.0.0.1:0,OTHER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT',
      'max.connections.per.ip': '2',
    });
  });
  afterAll(async () => {
    expect(await broker.stop()).toBe(0);
  });

  /**
   * A connection the broker has admitted (it answered ApiVersions), or 'refused' (it closed it). A TCP connect alone
   * proves nothing: the kernel completes it before the broker's listener sees it, and two listeners' accepts run in
   * no set order.
   */
  const admitted = async (port: number): Promise<RawClient | 'refused'> => {
    const client = await RawClient.connect('127.0.0.1', port);
    const outcome = await Promise.race([client.call(18, 0, {}).then(() => 'answered' as const), client.closed()]);
    return outcome === 'answered' ? client : 'refused';
  };

  it('refuses the third connection from 127.0.0.1 on either listener, and takes one again once another has closed', async () => {
    const first = await admitted(broker.listenerPorts.PLAINTEXT!);
    const second = await admitted(broker.listenerPorts.OTHER!);
    expect([first, second].includes('refused')).toBe(false);
    expect(await admitted(broker.listenerPorts.PLAINTEXT!)).toBe('refused');
    await waitUntil(() => broker.logLines.some((l) => String(l.msg) === 'refusing connection: max.connections.per.ip 2 reached'), 'the refusal logged');
    (first as RawClient).close();
    // The broker releases the closed connection's place once it sees the close: until then a new one may be refused.
    await waitUntil(async () => {
      const next = await admitted(broker.listenerPorts.OTHER!);
      if (next === 'refused') return false;
      next.close();
      return true;
    }, 'a connection taken again');
    (second as RawClient).close();
  });
});
