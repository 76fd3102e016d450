// kcat (librdkafka) told the broker is old (no ApiVersions request, broker.version.fallback 0.8.2 / 0.9.0), so it
// speaks Metadata v0, against a real broker process: it bootstraps and lists the brokers and topics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kcat } from '../helpers/kcat.js';

let broker: BrokerProcess;
beforeAll(async () => {
  broker = await startBrokerProcess({ 'num.partitions': '2' });
});
afterAll(async () => {
  expect(await broker.stop()).toBe(0);
});

describe('kcat with an old broker version fallback', () => {
  it.each(['0.8.2.2', '0.9.0'])('lists brokers and topics over Metadata v0 (fallback %s)', (fallback) => {
    // A current client creates the topic; the old-protocol one only reads metadata.
    expect(kcat(['-b', broker.bootstrap, '-P', '-t', `old-meta-${fallback}`], 'x\n').status).toBe(0);
    const old = ['-X', 'api.version.request=false', '-X', `broker.version.fallback=${fallback}`, '-d', 'protocol'];
    const listing = kcat(['-b', broker.bootstrap, ...old, '-L']);
    expect(listing.status, listing.stderr).toBe(0);
    expect(listing.stdout).toMatch(/1 brokers:\s+broker 1 at 127\.0\.0\.1:\d+/);
    expect(listing.stdout).toMatch(new RegExp(`topic "old-meta-${fallback.replaceAll('.', '\\.')}" with 2 partitions:`));
    // librdkafka's protocol debug names the request and version it sent.
    expect(listing.stderr).toMatch(/Sent MetadataRequest \(v0/);
  });
});
