// Start-up checks of the keys that bound what one client can hold: the per-connection share of response
// memory, the broker-wide budget (which must fit that share and the largest batch), and the read timeout.
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { problemsOf } from './config-problems.js';

describe('connection limit keys', () => {
  it('default to 8 MiB per connection, 512 MiB for all, 30 s to finish a request', () => {
    const config = resolveBrokerConfig(new Map());
    expect([config.connectionUnsentBytesMax, config.responseMemoryBytesMax, config.requestReadTimeoutMs]).toEqual([8 * 1024 * 1024, 512 * 1024 * 1024, 30_000]);
  });

  it('refuse a connection share or a batch larger than the whole budget, and out-of-range values', () => {
    expect(problemsOf({ 'fjord.response.memory.bytes.max': String(4 * 1024 * 1024) })).toEqual([
      `fjord.connection.unsent.bytes.max (${8 * 1024 * 1024}) must not exceed fjord.response.memory.bytes.max (${4 * 1024 * 1024})`,
    ]);
    expect(
      problemsOf({
        'fjord.response.memory.bytes.max': String(16 * 1024 * 1024),
        'message.max.bytes': String(32 * 1024 * 1024),
        'fjord.ring.bytes': String(128 * 1024 * 1024),
      }),
    ).toEqual([`message.max.bytes (${32 * 1024 * 1024}) must not exceed fjord.response.memory.bytes.max (${16 * 1024 * 1024})`]);
    expect(problemsOf({ 'fjord.request.read.timeout.ms': '0' })).toEqual([expect.stringMatching(/^fjord.request.read.timeout.ms must be between 1 and/)]);
    expect(problemsOf({ 'fjord.connection.unsent.bytes.max': '1000' })).toEqual([
      expect.stringMatching(/^fjord.connection.unsent.bytes.max must be between 65536 and/),
    ]);
  });
});
