// The one config table: a topic key and the broker key that sets its default share type, bounds and default;
// units, aliases and Kafka's "never" read and display the same way for both.
import { describe, expect, it } from 'vitest';
import { resolveBrokerConfig } from '../../src/config/broker-config.js';
import { BROKER_CONFIG_SCHEMA } from '../../src/config/broker-config-schema.js';
import { DEFAULT_LOG_CONFIG, NEVER, TOPIC_CONFIG_KEYS, topicConfigEntries, withTopicOverrides } from '../../src/shared/topic-config.js';
import { DEFAULT_GROUP_SETTINGS } from '../../src/shared/group-protocol.js';
import { problemsOf } from '../config/config-problems.js';

describe('config table', () => {
  it('gives every topic key a broker key, and the broker defaults are the topic defaults', () => {
    for (const { spec } of TOPIC_CONFIG_KEYS.values()) if (!spec.topicOnly) expect(BROKER_CONFIG_SCHEMA.get(spec.key)).toBe(spec);
    // The topic-only keys (throttled replicas, remote storage) have no broker key.
    expect([...TOPIC_CONFIG_KEYS.values()].filter(({ spec }) => BROKER_CONFIG_SCHEMA.get(spec.key) === undefined).map(({ spec }) => spec.topicKey)).toEqual([
      'leader.replication.throttled.replicas',
      'follower.replication.throttled.replicas',
      'remote.storage.enable',
      'remote.log.copy.disable',
      'remote.log.delete.on.disable',
    ]);
    const config = resolveBrokerConfig(new Map());
    expect(config.defaultLogConfig).toEqual(DEFAULT_LOG_CONFIG);
    expect(config.groups).toEqual({ ...DEFAULT_GROUP_SETTINGS, maxGroupMetadataBytes: DEFAULT_LOG_CONFIG.maxMessageBytes });
  });

  it('bounds a topic key as its broker key (segment.index.bytes and log.index.size.max.bytes: one .timeindex entry)', () => {
    expect(() => withTopicOverrides(DEFAULT_LOG_CONFIG, { 'segment.index.bytes': '11' })).toThrow(
      'segment.index.bytes must be between 12 and 2147483647, got 11',
    );
    expect(problemsOf({ 'log.index.size.max.bytes': '11' })).toEqual(['log.index.size.max.bytes must be between 12 and 2147483647, got 11']);
    expect(withTopicOverrides(DEFAULT_LOG_CONFIG, { 'segment.index.bytes': '12' }).segmentIndexBytes).toBe(12);
  });

  it('reads Long.MAX_VALUE as never and shows it as Long.MAX_VALUE again, for topic and broker keys', () => {
    const config = withTopicOverrides(DEFAULT_LOG_CONFIG, { 'flush.ms': '9223372036854775807', 'flush.messages': ' 1 ' });
    expect([config.flushMs, config.flushMessages]).toEqual([NEVER, 1]);
    expect(new Map(topicConfigEntries(config)).get('flush.ms')).toBe('9223372036854775807');
    expect(() => withTopicOverrides(DEFAULT_LOG_CONFIG, { 'segment.bytes': '2147483648' })).toThrow(/segment.bytes must be between 14 and 2147483647/);
  });

  it('converts units: aliases in hours or minutes, a key written in minutes', () => {
    const config = resolveBrokerConfig(
      new Map([
        ['log.roll.hours', '2'],
        ['log.retention.minutes', '-1'],
        ['offsets.retention.minutes', '10'],
      ]),
    );
    expect([config.defaultLogConfig.segmentMs, config.defaultLogConfig.retentionMs, config.groups.offsetsRetentionMs]).toEqual([7_200_000, -1, 600_000]);
    expect([config.effective['log.roll.ms'], config.effective['offsets.retention.minutes']]).toEqual(['7200000', '10']);
    expect(problemsOf({ 'log.roll.hours': '0' })).toEqual([expect.stringMatching(/^log.roll.hours must be between 1 and/)]);
  });
});
