// The generic decoder: walks a message plan and reads each field with the bounds-checked Reader.
// One interpreter for every API, request and response, header and body. Runs on the main thread.
import { ProtocolError } from '../codec/protocol-error.js';
import { Reader } from '../codec/reader.js';
import { Kind, Placement, planOf, type FieldPlan, type StructPlan } from './plan.js';
import type { MessageSchema, MessageValue } from './types.js';

type Struct = Record<string, unknown>;

export interface Decoded<T> {
  value: T;
  bytesRead: number;
}

/** Adds a path segment to a ProtocolError passing through; anything else is rethrown untouched. */
export function withPath(error: unknown, segment: string): unknown {
  return error instanceof ProtocolError ? error.within(segment) : error;
}

/**
 * Decodes one message of `schema` at `version` from `buf[offset, end)`. Fields the version lacks get their
 * defaults; bytes and records are subarrays of `buf` (keep `buf` alive and unmodified while they are used).
 */
export function decodeMessage<S extends MessageSchema>(schema: S, version: number, buf: Buffer, offset = 0, end = buf.length): Decoded<MessageValue<S>> {
  const reader = new Reader(buf, offset, end);
  try {
    const value = readStruct(reader, planOf(schema, version)) as MessageValue<S>;
    return { value, bytesRead: reader.offset - offset };
  } catch (error) {
    if (error instanceof ProtocolError) error.during(`${schema.name} v${version}`);
    throw error;
  }
}

export function readStruct(reader: Reader, plan: StructPlan): Struct {
  const out: Struct = {};
  for (const field of plan.fields) {
    out[field.name] = field.placement === Placement.WIRE ? readFieldAt(reader, field) : freshDefault(field);
  }
  if (plan.flexible) readTaggedSection(reader, plan, out);
  return out;
}

function readFieldAt(reader: Reader, field: FieldPlan): unknown {
  try {
    return field.array ? readArray(reader, field) : readValue(reader, field.kind, field.compact, field.nullable, field.struct);
  } catch (error) {
    throw withPath(error, field.name);
  }
}

function readArray(reader: Reader, field: FieldPlan): unknown[] | null {
  const count = field.compact ? reader.compactArrayLength(field.itemBytesMin, field.nullable) : reader.arrayLength(field.itemBytesMin, field.nullable);
  if (count === -1) return null;
  const items = new Array<unknown>(count);
  let i = 0;
  try {
    for (; i < count; i++) items[i] = readValue(reader, field.kind, field.compact, false, field.struct);
  } catch (error) {
    throw withPath(error, String(i));
  }
  return items;
}

function readValue(reader: Reader, kind: Kind, compact: boolean, nullable: boolean, struct: StructPlan | null): unknown {
  switch (kind) {
    case Kind.BOOL:
      return reader.bool();
    case Kind.INT8:
      return reader.int8();
    case Kind.INT16:
      return reader.int16();
    case Kind.UINT16:
      return reader.uint16();
    case Kind.INT32:
      return reader.int32();
    case Kind.UINT32:
      return reader.uint32();
    case Kind.INT64:
      return reader.int64();
    case Kind.FLOAT64:
      return reader.float64();
    case Kind.UUID:
      return reader.uuid();
    case Kind.STRING:
      return readString(reader, compact, nullable);
    case Kind.BYTES:
    case Kind.RECORDS:
      return readBytes(reader, compact, nullable);
    case Kind.STRUCT:
      return readNestedStruct(reader, struct!, nullable);
  }
}

function readString(reader: Reader, compact: boolean, nullable: boolean): string | null {
  if (compact) return nullable ? reader.compactNullableString() : reader.compactString();
  return nullable ? reader.nullableString() : reader.string();
}

function readBytes(reader: Reader, compact: boolean, nullable: boolean): Buffer | null {
  if (compact) return nullable ? reader.compactNullableBytes() : reader.compactBytes();
  return nullable ? reader.nullableBytes() : reader.bytes();
}

// Nullable struct (not in an array): int8 marker, −1 = null, otherwise the struct follows.
function readNestedStruct(reader: Reader, plan: StructPlan, nullable: boolean): Struct | null {
  if (nullable && reader.int8() < 0) return null;
  return readStruct(reader, plan);
}

// Tagged-field section, at the end of every struct in a flexible version:
//   uvarint count, then count × { uvarint tag, uvarint size, `size` bytes of value }, tags strictly ascending.
// Known tags are decoded within exactly `size` bytes; unknown tags are skipped by their size.
function readTaggedSection(reader: Reader, plan: StructPlan, out: Struct): void {
  const count = reader.unsignedVarint();
  let previousTag = -1;
  for (let i = 0; i < count; i++) {
    const tag = reader.unsignedVarint();
    if (tag <= previousTag) throw new ProtocolError(`tag ${tag} is out of order or repeated (after tag ${previousTag})`);
    previousTag = tag;
    const size = reader.unsignedVarint();
    const field = plan.tagged.find((candidate) => candidate.tag === tag);
    if (field === undefined) reader.skip(size);
    else out[field.name] = readTaggedValue(reader, field, size);
  }
}

function readTaggedValue(reader: Reader, field: FieldPlan, size: number): unknown {
  if (size > reader.remaining()) throw new ProtocolError(`tagged field ${field.tag} of ${size} bytes is truncated`);
  const outerEnd = reader.end;
  const valueEnd = reader.offset + size;
  reader.end = valueEnd;
  try {
    const value = readFieldAt(reader, field);
    if (reader.offset !== valueEnd) {
      throw new ProtocolError(`tagged field ${field.tag} declared ${size} bytes but its value ended early`).within(field.name);
    }
    return value;
  } finally {
    reader.end = outerEnd;
  }
}

/** A field's default as a fresh value: arrays and structs are new objects the caller may mutate. */
export function freshDefault(field: FieldPlan): unknown {
  if (field.defaultValue === null) return null;
  if (field.array) return [];
  if (field.kind === Kind.STRUCT) return defaultStruct(field.struct!);
  return field.defaultValue;
}

function defaultStruct(plan: StructPlan): Struct {
  const out: Struct = {};
  for (const field of plan.fields) out[field.name] = freshDefault(field);
  return out;
}
