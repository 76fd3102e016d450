// Reads a broker's .properties file the way Java's java.util.Properties.load does (the properties-file
// package: # and ! comments, =, : or whitespace between key and value, trailing-backslash continuations,
// \t \n \r \f \uXXXX and escaped separators, last value wins), plus one check of Fjord's own. Main thread.
import { readFileSync } from 'node:fs';
import { Properties } from 'properties-file/parser';
import { BROKER_KEY_NAMES } from './broker-config-schema.js';
import { ConfigError } from './config-error.js';

const BROKER_NAMES = new Set([...BROKER_KEY_NAMES.values()].flat());

/** One key/value pair of a .properties file, as java.util.Properties.load reads it. */
export interface PropertyEntry {
  key: string;
  value: string;
  /** 1-based line the entry starts on. */
  line: number;
  /** The key was ended by = or :, not by blanks alone (or the line holds a key only). */
  separated: boolean;
  /** The entry's lines as written, joined by a space. */
  text: string;
}

/** The entries of .properties text in file order (a key given twice appears twice; the last one wins). */
export function propertyEntries(text: string): PropertyEntry[] {
  return new Properties(text).getProperties().map((p) => ({
    key: p.key,
    value: p.value,
    line: p.startingLineNumber,
    separated: p.separatorChar !== undefined,
    text: p.rawLines.join(' ').trim(),
  }));
}

/**
 * Parses .properties text into key → value. Java would read a line with neither = nor : as a key ending at the
 * first blank ("no separator here" → key "no"); unless that key is a broker key, such a line is reported as a
 * missing separator, with its file and line, rather than as an unknown key "no".
 */
export function parseProperties(text: string, source: string): Map<string, string> {
  let entries: PropertyEntry[];
  try {
    entries = propertyEntries(text);
  } catch (error) {
    throw new ConfigError([`${source}: ${(error as Error).message}`]);
  }
  const values = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.separated && !BROKER_NAMES.has(entry.key)) throw new ConfigError([`${source}:${entry.line}: expected key=value, got "${entry.text}"`]);
    values.set(entry.key, entry.value);
  }
  return values;
}

/** Reads a properties file (UTF-8); a missing or unreadable file is a one-line ConfigError. */
export function readPropertiesFile(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseProperties(text, path);
}
