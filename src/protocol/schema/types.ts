// The message DSL: a message is a list of fields whose presence, nullability and tagging depend on the version.
// Pure types and the TypeScript values they decode to; runs on the main thread.
//
// A field is written as one line of data, e.g.
//   { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 }
// Version ranges: '3' (one version), '3-7' (inclusive), '9+' (open-ended), 'none'. Field order is wire order.
// Field names are the Kafka JSON names with the first letter lower-cased; decoded objects use them as keys.

export type VersionRange = `${number}` | `${number}-${number}` | `${number}+` | 'none';

export type ScalarType = 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'uuid' | 'string' | 'bytes' | 'records';

/** `struct` and `[]struct` carry `fields`; `[]int32`, `[]string`, … are arrays of scalars. */
export type FieldType = ScalarType | `[]${Exclude<ScalarType, 'records'>}` | 'struct' | '[]struct';

export type DefaultValue = number | boolean | string | null;

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly versions: VersionRange;
  /** Versions in which null is allowed (strings, bytes, arrays, structs). Records are always nullable. */
  readonly nullableVersions?: VersionRange;
  /** Versions in which the field travels in the tagged-field section (flexible versions only), under `tag`. */
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  /** Value when absent (decode) or not given (encode); otherwise 0, false, '', zero uuid, empty, [] or null. */
  readonly default?: DefaultValue;
  /** Field-level override of the message's flexible versions; only RequestHeader.clientId uses it ('none'). */
  readonly flexibleVersions?: 'none';
  /** Fields of a `struct` or `[]struct`. */
  readonly fields?: readonly FieldSpec[];
}

export interface MessageSchema<F extends readonly FieldSpec[] = readonly FieldSpec[]> {
  readonly name: string;
  /** Versions encoded with compact types and tagged-field sections (README §4.3–4.4). */
  readonly flexibleVersions: VersionRange;
  readonly fields: F;
}

type ScalarValue<T> = T extends 'bool'
  ? boolean
  : T extends 'uuid' | 'string'
    ? string
    : T extends 'bytes'
      ? Buffer
      : T extends 'records'
        ? Buffer | null
        : number;

type OrNull<F, T> = F extends { readonly nullableVersions: VersionRange } ? T | null : T;

type FieldValue<F extends FieldSpec> = F extends { readonly type: 'struct'; readonly fields: infer C extends readonly FieldSpec[] }
  ? StructValue<C>
  : F extends { readonly type: '[]struct'; readonly fields: infer C extends readonly FieldSpec[] }
    ? StructValue<C>[]
    : F['type'] extends `[]${infer Item}`
      ? ScalarValue<Item>[]
      : ScalarValue<F['type']>;

type FieldInput<F extends FieldSpec> = F extends { readonly type: 'struct'; readonly fields: infer C extends readonly FieldSpec[] }
  ? StructInput<C>
  : F extends { readonly type: '[]struct'; readonly fields: infer C extends readonly FieldSpec[] }
    ? readonly StructInput<C>[]
    : F['type'] extends `[]${infer Item}`
      ? readonly ScalarValue<Item>[]
      : ScalarValue<F['type']>;

/** What decoding gives: every field of the schema, present or defaulted. */
export type StructValue<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as F['name']]: OrNull<F, FieldValue<F>>;
};

/** What encoding takes: any field may be left out and is then written as its default. */
export type StructInput<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as F['name']]?: OrNull<F, FieldInput<F>>;
};

export type MessageValue<S> = S extends MessageSchema<infer F> ? StructValue<F> : never;
export type MessageInput<S> = S extends MessageSchema<infer F> ? StructInput<F> : never;

/** Keeps the literal types of a field list declared on its own (shared structs), for the value types above. */
export function fields<const F extends readonly FieldSpec[]>(list: F): F {
  return list;
}

/** A message schema with the literal types of its fields kept (headers; APIs go through defineApi). */
export function message<const F extends readonly FieldSpec[]>(name: string, flexibleVersions: VersionRange, fieldList: F): MessageSchema<F> {
  return { name, flexibleVersions, fields: fieldList };
}
