// Client-caused warnings are rate-limited per client address and kind, on an injected clock (no sleeps):
// one line per interval, the number suppressed in between on the next line, every event counted by kind.
import { describe, expect, it } from 'vitest';
import { ClientWarnings } from '../../src/network/client-warnings.js';
import { captureLogger } from '../helpers/capture-logger.js';

function limiter(sourcesMax = 100) {
  const { logger, lines } = captureLogger();
  const clock = { nowMs: 0 };
  const warnings = new ClientWarnings(logger, 10_000, sourcesMax, () => clock.nowMs);
  return { warnings, lines, clock };
}

describe('client warnings', () => {
  it('log one line per address and kind per interval, then the count suppressed', () => {
    const { warnings, lines, clock } = limiter();
    for (let i = 0; i < 5; i++) warnings.warn('10.0.0.1', 'bad-frame', { connection: `10.0.0.1:${4000 + i}` }, `closing connection: bad ${i}`);
    expect(lines.map((l) => l.msg)).toEqual(['closing connection: bad 0']);
    expect(lines[0]).toMatchObject({ client: '10.0.0.1', kind: 'bad-frame', connection: '10.0.0.1:4000', level: 40 });
    expect(lines[0]!.suppressed).toBeUndefined();

    clock.nowMs = 9_999;
    warnings.warn('10.0.0.1', 'bad-frame', {}, 'closing connection: bad 5');
    expect(lines).toHaveLength(1);
    clock.nowMs = 10_000;
    warnings.warn('10.0.0.1', 'bad-frame', {}, 'closing connection: bad 6');
    expect(lines.map((l) => [l.msg, l.suppressed])).toEqual([
      ['closing connection: bad 0', undefined],
      ['closing connection: bad 6', 5],
    ]);
  });

  it('limit each address and each kind separately, and count every event by kind', () => {
    const { warnings, lines } = limiter();
    warnings.warn('10.0.0.1', 'bad-frame', {}, 'a');
    warnings.warn('10.0.0.2', 'bad-frame', {}, 'b');
    warnings.warn('10.0.0.1', 'refused', {}, 'c');
    warnings.warn('10.0.0.1', 'refused', {}, 'd');
    warnings.warn('10.0.0.1', 'handler-failed', {}, 'e', 'error');
    expect(lines.map((l) => [l.msg, l.level])).toEqual([
      ['a', 40],
      ['b', 40],
      ['c', 40],
      ['e', 50],
    ]);
    const counts = Object.fromEntries(warnings.countsByKind().map(({ kind, count }) => [kind, count]));
    expect(counts).toEqual({
      'bad-frame': 2,
      'malformed-request': 0,
      'unsupported-version': 0,
      'unknown-api': 0,
      'tls-handshake': 0,
      authentication: 0,
      refused: 2,
      closed: 0,
      'read-timeout': 0,
      'handler-failed': 1,
    });
  });

  it('limit events about an API per address and API, counting them per API', () => {
    const { warnings, lines, clock } = limiter();
    // A client reconnecting in a loop with Produce v99, and once with an unknown key and with Fetch v99.
    for (let i = 0; i < 20; i++) warnings.warn('10.0.0.1', 'unsupported-version', { apiKey: 0, apiVersion: 99 }, 'closing connection: Produce v99');
    warnings.warn('10.0.0.1', 'unsupported-version', { apiKey: 1, apiVersion: 99 }, 'closing connection: Fetch v99');
    warnings.warn('10.0.0.1', 'unknown-api', { apiKey: 4000, apiVersion: 0 }, 'closing connection: unknown API key 4000');
    expect(lines.map((l) => [l.msg, l.apiKey])).toEqual([
      ['closing connection: Produce v99', 0],
      ['closing connection: Fetch v99', 1],
      ['closing connection: unknown API key 4000', 4000],
    ]);
    clock.nowMs = 10_000;
    warnings.warn('10.0.0.1', 'unsupported-version', { apiKey: 0, apiVersion: 99 }, 'closing connection: Produce v99');
    expect(lines.at(-1)).toMatchObject({ apiKey: 0, suppressed: 19 });
    expect(warnings.countsByApi()).toEqual([
      { kind: 'unsupported-version', apiKey: 0, count: 21 },
      { kind: 'unsupported-version', apiKey: 1, count: 1 },
      { kind: 'unknown-api', apiKey: 4000, count: 1 },
    ]);
  });

  it('count at most a bounded number of API keys, the rest under -1', () => {
    const { warnings } = limiter();
    for (let key = 0; key < 100; key++) warnings.warn('10.0.0.1', 'unknown-api', { apiKey: 1000 + key }, 'unknown');
    const counts = warnings.countsByApi();
    expect(counts).toHaveLength(65);
    expect(counts.at(-1)).toEqual({ kind: 'unknown-api', apiKey: -1, count: 36 });
  });

  it('remember a bounded number of sources, forgetting the longest quiet', () => {
    const { warnings, lines } = limiter(2);
    warnings.warn('10.0.0.1', 'closed', {}, 'one');
    warnings.warn('10.0.0.2', 'closed', {}, 'two');
    warnings.warn('10.0.0.3', 'closed', {}, 'three');
    warnings.warn('10.0.0.1', 'closed', {}, 'one again');
    warnings.warn('10.0.0.3', 'closed', {}, 'three again');
    expect(lines.map((l) => l.msg)).toEqual(['one', 'two', 'three', 'one again']);
  });
});
