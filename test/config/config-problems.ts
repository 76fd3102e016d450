// Test helper: the one-line problems resolveBrokerConfig reports for a set of keys ([] when it accepts them).
import { expect } from 'vitest';
import { ConfigError, resolveBrokerConfig } from '../../src/config/broker-config.js';

export function problemsOf(entries: Record<string, string>): string[] {
  try {
    resolveBrokerConfig(new Map(Object.entries(entries)));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}
