// How a configuration key is declared: its Kafka name, type, default, bounds, documentation, older names and,
// for a topic key, the broker key that sets its default. Tables of such keys (keyed by the field name the code
// reads) give the TypeScript types (ValuesOf), the parser (parseTable), the defaults and the display strings.
// Thread-neutral: the topic and worker tables live in src/shared, the broker-only ones in src/config.

/** Kafka's ConfigDef types (enum: a STRING with a fixed set of values). */
export type ConfigKind = 'int' | 'long' | 'double' | 'bool' | 'string' | 'list' | 'enum';

/** Kafka's "never" for flush.messages / flush.ms (Long.MAX_VALUE), kept exact as a JS number. */
export const NEVER = Number.MAX_SAFE_INTEGER;
/** How "never" is written in Kafka configs (Long.MAX_VALUE); parsing it gives NEVER. */
export const KAFKA_LONG_MAX = '9223372036854775807';
export const INT_MAX = 2 ** 31 - 1;

export interface KeySpec<T> {
  /** The broker key, as server.properties, FJORD_* and --set name it. */
  readonly key: string;
  readonly kind: ConfigKind;
  readonly default: T;
  readonly doc: string;
  /** Bounds of numbers, in the key's own unit. */
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Kafka's older names for the key (the first one present wins), each with the factor from its unit to the key's. */
  readonly aliases?: Readonly<Record<string, number>>;
  /** The per-topic key this broker key is the default of (log.retention.ms → retention.ms). */
  readonly topicKey?: string;
  /**
   * Kafka's own default under each of the key's synonym names, where it differs from "the key holds `default`":
   * log.retention.ms has none (null) and log.retention.hours holds 168. Names here that are not aliases are
   * synonyms Kafka lists that Fjord does not read (log.flush.scheduler.interval.ms). DescribeConfigs reports them.
   */
  readonly kafkaDefaults?: Readonly<Record<string, string | null>>;
  /** A topic-only key (no broker key sets its default): Kafka lists no synonyms for it. */
  readonly topicOnly?: boolean;
  /** A secret (Kafka's PASSWORD type): DescribeConfigs answers it as null and sensitive, and `format` never shows it. */
  readonly sensitive?: boolean;
  /** The key is written in this many milliseconds (offsets.retention.minutes: 60000); the value read is in ms. */
  readonly unitMs?: number;
  /** The value of `text` (already trimmed) given under `name` (the key or an alias, `factor` its unit); throws a one-line Error. */
  parse(name: string, text: string, factor: number): T;
  format(value: T): string;
}

/** Keys of any value type (methods, so a KeySpec<number> is a KeySpec<unknown>). */
export type ConfigTable = Readonly<Record<string, KeySpec<unknown>>>;

/** The values a table's keys read as, by field name: the type the code uses, inferred from the table. */
export type ValuesOf<T extends ConfigTable> = { -readonly [F in keyof T]: T[F] extends KeySpec<infer V> ? V : never };

type Declared<T> = Omit<KeySpec<T>, 'kind' | 'parse' | 'format'>;
type NumberDeclared = Declared<number>;

export function int(spec: NumberDeclared): KeySpec<number> {
  return {
    ...spec,
    kind: 'int',
    parse: (name, text, factor) => parseInteger(name, text, factor, spec.min, spec.max ?? INT_MAX, false, spec.unitMs),
    format: formatNumber(spec.unitMs),
  };
}

/** A Kafka LONG: Long.MAX_VALUE (and anything past 2^53) reads as NEVER. */
export function long(spec: NumberDeclared): KeySpec<number> {
  return {
    ...spec,
    kind: 'long',
    parse: (name, text, factor) => parseInteger(name, text, factor, spec.min, spec.max ?? NEVER, true, spec.unitMs),
    format: formatNumber(spec.unitMs),
  };
}

export function double(spec: NumberDeclared): KeySpec<number> {
  return { ...spec, kind: 'double', parse: (name, text) => parseDouble(name, text, spec.min ?? -Infinity, spec.max ?? Infinity), format: String };
}

export function bool(spec: Declared<boolean>): KeySpec<boolean> {
  return {
    ...spec,
    kind: 'bool',
    parse: (name, text) => {
      if (text !== 'true' && text !== 'false') throw new Error(`${name} must be true or false, got "${text}"`);
      return text === 'true';
    },
    format: String,
  };
}

export function oneOf<const V extends string>(values: readonly V[], spec: Declared<V>): KeySpec<V> {
  return {
    ...spec,
    kind: 'enum',
    values,
    parse: (name, text) => {
      if (!(values as readonly string[]).includes(text)) throw new Error(`${name} must be one of ${values.join(', ')}, got "${text}"`);
      return text as V;
    },
    format: String,
  };
}

/** Comma-separated, at least one item. */
export function list(spec: Declared<string[]>): KeySpec<string[]> {
  return {
    ...spec,
    kind: 'list',
    parse: (name, text) => {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (items.length === 0) throw new Error(`${name} must list at least one value`);
      return items;
    },
    format: (items) => items.join(','),
  };
}

/** A STRING key with its own syntax (listener addresses): `parse` and `format` given. */
export function custom<T>(spec: Declared<T> & Pick<KeySpec<T>, 'parse' | 'format'>): KeySpec<T> {
  return { ...spec, kind: 'string' };
}

function parseInteger(name: string, text: string, factor: number, min = -Infinity, max: number, isLong: boolean, unitMs = 1): number {
  if (!/^-?\d+$/.test(text)) throw new Error(`${name} must be an integer, got "${text}"`);
  let value = Number(text);
  // Kafka's Long.MAX_VALUE means "never"; anything beyond 2^53 reads as NEVER.
  if (isLong && value > NEVER) value = NEVER;
  // An alias in another unit (log.retention.hours): converted first, then bounded as the key; -1 and 0 keep their meaning.
  if (value > 0) value = Math.min(value * factor, NEVER);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, got ${text}`);
  return value > 0 ? Math.min(value * unitMs, NEVER) : value;
}

function formatNumber(unitMs = 1): (value: number) => string {
  return (value) => (value === NEVER ? KAFKA_LONG_MAX : String(value / unitMs));
}

/** A decimal number (Kafka's DOUBLE: "0.5", "1", "5e-1") within [min, max]. */
export function parseDouble(key: string, text: string, min: number, max: number): number {
  const value = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) throw new Error(`${key} must be a number, got "${text}"`);
  if (value < min || value > max) throw new Error(`${key} must be between ${min} and ${max}, got ${text}`);
  return value;
}

/** Every name a key may be given under: the key, then its aliases. */
export function namesOf(spec: KeySpec<unknown>): string[] {
  return [spec.key, ...Object.keys(spec.aliases ?? {})];
}

/** The key's synonym names in Kafka's order: the key, its aliases, then names Kafka lists that Fjord does not read. */
export function synonymNamesOf(spec: KeySpec<unknown>): string[] {
  return [...new Set([...namesOf(spec), ...Object.keys(spec.kafkaDefaults ?? {})])];
}

/** Kafka's default under one of a key's synonym names (null: Kafka's ConfigDef has none for that name). */
export function kafkaDefaultOf(spec: KeySpec<unknown>, name: string): string | null {
  const declared = spec.kafkaDefaults?.[name];
  if (declared !== undefined) return declared;
  return name === spec.key ? defaultText(spec) : null;
}

/** The default as a config string. */
export function defaultText<T>(spec: KeySpec<T>): string {
  return spec.format(spec.default);
}

/** Every key's default value, by field name. */
export function defaultsOf<T extends ConfigTable>(table: T): ValuesOf<T> {
  const values: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(table)) values[field] = spec.default;
  return values as ValuesOf<T>;
}

/**
 * Reads every key of a table from `given` (broker key names; an absent key takes its default). Each bad value
 * adds one line to `problems`; each good one its display string to `effective`, under its key.
 */
export function parseTable<T extends ConfigTable>(
  table: T,
  given: ReadonlyMap<string, string>,
  problems: string[],
  effective: Record<string, string>,
): ValuesOf<T> {
  const values: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(table)) {
    const name = namesOf(spec).find((n) => given.has(n));
    try {
      values[field] = name === undefined ? spec.default : spec.parse(name, given.get(name)!.trim(), spec.aliases?.[name] ?? 1);
      effective[spec.key] = spec.format(values[field]);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return values as ValuesOf<T>;
}
