// Broker configuration: properties parsing, precedence (file < FJORD_* env < --set), aliases and
// units, and one clear message per bad key or value.
import { describe, expect, it } from 'vitest';
import { CLEANER_OFF_MS, environmentOverrides, parseProperties, resolveBrokerConfig } from '../../src/config/broker-config.js';
import { DEFAULT_LOG_CONFIG, NEVER, withTopicOverrides } from '../../src/shared/topic-config.js';
import { problemsOf } from './config-problems.js';

describe('broker config', () => {
  it('parses properties files with comments and both separators', () => {
    const parsed = parseProperties('# comment\n! also comment\n\nlog.dirs = /a,/b\nnum.partitions: 3\n', 'x.properties');
    expect([...parsed]).toEqual([
      ['log.dirs', '/a,/b'],
      ['num.partitions', '3'],
    ]);
    expect(() => parseProperties('no separator here', 'x.properties')).toThrow(/x.properties:1: expected key=value/);
  });

  it('uses defaults, aliases and unit conversions', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['log.retention.hours', '2'],
        ['broker.id', '7'],
        ['log.dir', '/data'],
      ]),
    );
    expect(config.nodeId).toBe(7);
    expect(config.logDirs).toEqual(['/data']);
    expect(config.defaultLogConfig.retentionMs).toBe(2 * 3600 * 1000);
    expect(config.defaultLogConfig.flushMessages).toBe(NEVER);
    expect(config.workers).toBeGreaterThanOrEqual(1);
  });

  it('lets the environment override the file and --set override both', () => {
    const env = environmentOverrides({ FJORD_NUM_PARTITIONS: '4', FJORD_FJORD_WORKERS: '3', PATH: '/bin' });
    expect([...env]).toEqual([
      ['num.partitions', '4'],
      ['fjord.workers', '3'],
    ]);
    const config = resolveBrokerConfig(new Map([['num.partitions', '2']]), env, new Map([['num.partitions', '9']]));
    expect(config.numPartitions).toBe(9);
    expect(config.workers).toBe(3);
  });

  it('reports every bad key and value in one line each', () => {
    expect(problemsOf({ 'log.segmnt.bytes': '1' })).toEqual([expect.stringMatching(/unknown config key "log.segmnt.bytes"/)]);
    expect(problemsOf({ 'num.partitions': 'many' })).toEqual(['num.partitions must be an integer, got "many"']);
    expect(problemsOf({ 'num.partitions': '0' })).toEqual([expect.stringMatching(/num.partitions must be between 1 and/)]);
    expect(problemsOf({ 'log.preallocate': 'yes' })).toEqual(['log.preallocate must be true or false, got "yes"']);
    expect(problemsOf({ 'log.message.timestamp.type': 'Now' })).toEqual([expect.stringMatching(/one of CreateTime, LogAppendTime/)]);
    expect(problemsOf({ 'fjord.ring.bytes': '6000000' })).toEqual([expect.stringMatching(/power of two/)]);
    expect(problemsOf({ 'fjord.ring.bytes': '1048576', 'message.max.bytes': '1000000' })).toEqual([expect.stringMatching(/at least 4 x message.max.bytes/)]);
    expect(problemsOf({ 'num.partitions': 'x', 'log.preallocate': 'y' })).toHaveLength(2);
  });

  it('reads the log cleaner keys into topic defaults and the cleaner interval', () => {
    const defaults = resolveBrokerConfig(new Map());
    expect([
      defaults.cleanerBackoffMs,
      defaults.defaultLogConfig.deleteRetentionMs,
      defaults.defaultLogConfig.minCompactionLagMs,
      defaults.defaultLogConfig.minCleanableDirtyRatio,
    ]).toEqual([15_000, 86_400_000, 0, 0.5]);
    const config = resolveBrokerConfig(
      new Map([
        ['log.cleaner.backoff.ms', '250'],
        ['log.cleaner.delete.retention.ms', '1000'],
        ['log.cleaner.min.compaction.lag.ms', '5'],
        ['log.cleaner.min.cleanable.ratio', '0.25'],
      ]),
    );
    expect([
      config.cleanerBackoffMs,
      config.defaultLogConfig.deleteRetentionMs,
      config.defaultLogConfig.minCompactionLagMs,
      config.defaultLogConfig.minCleanableDirtyRatio,
    ]).toEqual([250, 1000, 5, 0.25]);
    expect(config.effective['log.cleaner.min.cleanable.ratio']).toBe('0.25');
    expect(resolveBrokerConfig(new Map([['log.cleaner.enable', 'false']])).cleanerBackoffMs).toBe(CLEANER_OFF_MS);
    expect(problemsOf({ 'log.cleaner.min.cleanable.ratio': '1.5' })).toEqual(['log.cleaner.min.cleanable.ratio must be between 0 and 1, got 1.5']);
    expect(problemsOf({ 'log.cleaner.min.cleanable.ratio': 'half' })).toEqual(['log.cleaner.min.cleanable.ratio must be a number, got "half"']);
  });

  it('parses the compaction topic keys', () => {
    const config = withTopicOverrides(DEFAULT_LOG_CONFIG, {
      'cleanup.policy': 'compact,delete',
      'delete.retention.ms': '100',
      'min.compaction.lag.ms': '7',
      'min.cleanable.dirty.ratio': '0.1',
    });
    expect([config.cleanupPolicy, config.deleteRetentionMs, config.minCompactionLagMs, config.minCleanableDirtyRatio]).toEqual(['compact,delete', 100, 7, 0.1]);
    expect(() => withTopicOverrides(DEFAULT_LOG_CONFIG, { 'min.cleanable.dirty.ratio': '-0.1' })).toThrow(/between 0 and 1/);
  });
});

describe('configuration reference', () => {
  it('docs/configuration.md is what the schema generates (run npm run docs:config after changing keys)', async () => {
    const { readFileSync } = await import('node:fs');
    const { renderConfigReference } = await import('../../src/config/config-reference.js');
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(renderConfigReference());
  });
});

describe('effective values', () => {
  it('shows converted values, listeners and Kafka\'s "never"', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['log.retention.hours', '168'],
        ['listeners', 'PLAINTEXT://127.0.0.1:0'],
      ]),
    );
    expect(config.effective['log.retention.ms']).toBe(String(168 * 3600 * 1000));
    expect(config.effective['listeners']).toBe('PLAINTEXT://127.0.0.1:0');
    expect(config.effective['log.flush.interval.messages']).toBe('9223372036854775807');
  });
});
