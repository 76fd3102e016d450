// Reads a broker's .properties file: key=value or key: value lines, # and ! comments, blank lines. Main thread.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

/** Parses Kafka .properties text: key=value or key: value lines, # and ! comments, blank lines. */
export function parseProperties(text: string, source: string): Map<string, string> {
  const entries = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (!match) throw new ConfigError([`${source}:${i + 1}: expected key=value, got "${line}"`]);
    entries.set(match[1]!, match[2]!);
  });
  return entries;
}

/** Reads a properties file; a missing or unreadable file is a one-line ConfigError. */
export function readPropertiesFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseProperties(text, path);
}
