// The generic encoder: sizes a message exactly from its plan, then writes it into one allocation.
// One interpreter for every API, request and response, header and body. Runs on the main thread.
import { ProtocolError } from '../codec/protocol-error.js';
import { sizeOfUnsignedVarint } from '../../shared/varint.js';
import { bytesLength, stringBytes, Writer } from '../codec/writer.js';
import { withPath } from './decode.js';
import { FIXED_BYTES, Kind, planOf, type FieldPlan, type StructPlan } from './plan.js';
import type { MessageInput, MessageSchema } from './types.js';

type Struct = Record<string, unknown>;

function annotate<T>(schema: MessageSchema, version: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ProtocolError) error.during(`${schema.name} v${version}`);
    throw error;
  }
}

/** Exact encoded size of `value` as `schema` at `version`. */
export function sizeOfMessage<S extends MessageSchema>(schema: S, version: number, value: MessageInput<S>): number {
  return annotate(schema, version, () => sizeOfStruct(planOf(schema, version), value));
}

/** Writes `value` at the writer's offset; the buffer must have `sizeOfMessage` bytes free there. */
export function writeMessage<S extends MessageSchema>(writer: Writer, schema: S, version: number, value: MessageInput<S>): void {
  annotate(schema, version, () => writeStruct(writer, planOf(schema, version), value));
}

/** Encodes `value` into a Buffer of exactly its size (one allocation). */
export function encodeMessage<S extends MessageSchema>(schema: S, version: number, value: MessageInput<S>): Buffer {
  const size = sizeOfMessage(schema, version, value);
  const writer = new Writer(Buffer.allocUnsafe(size));
  writeMessage(writer, schema, version, value);
  if (writer.offset !== size) throw new Error(`${schema.name} v${version}: wrote ${writer.offset} of ${size} bytes`);
  return writer.buf;
}

function asStruct(value: unknown): Struct {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new ProtocolError('expected an object for a struct', 'invalid-value');
  }
  return value as Struct;
}

function fieldValueOf(struct: Struct, field: FieldPlan): unknown {
  const value = struct[field.name];
  return value === undefined ? field.defaultValue : value;
}

function nullNotAllowed(): ProtocolError {
  return new ProtocolError('null is not allowed in this version', 'invalid-value');
}

// ---- sizes -------------------------------------------------------------------------------------------------

export function sizeOfStruct(plan: StructPlan, value: unknown): number {
  const struct = asStruct(value);
  let size = 0;
  for (const field of plan.wire) size += sizeOfFieldAt(field, fieldValueOf(struct, field));
  return plan.flexible ? size + sizeOfTaggedSection(plan, struct) : size;
}

function sizeOfFieldAt(field: FieldPlan, value: unknown): number {
  try {
    return sizeOfField(field, value);
  } catch (error) {
    throw withPath(error, field.name);
  }
}

function sizeOfField(field: FieldPlan, value: unknown): number {
  if (value === null) {
    if (!field.nullable) throw nullNotAllowed();
    return field.array || field.kind !== Kind.STRUCT ? lengthPrefixBytes(field, -1) : 1;
  }
  if (field.array) return sizeOfArray(field, value);
  const marker = field.kind === Kind.STRUCT && field.nullable ? 1 : 0;
  return marker + sizeOfValue(field.kind, field.compact, value, field.struct);
}

/** Bytes of the length prefix written before a value of `length` (−1 = null) for this field. */
function lengthPrefixBytes(field: FieldPlan, length: number): number {
  if (field.compact) return sizeOfUnsignedVarint(length + 1);
  return field.kind === Kind.STRING && !field.array ? 2 : 4;
}

function sizeOfArray(field: FieldPlan, value: unknown): number {
  if (!Array.isArray(value)) throw new ProtocolError('expected an array', 'invalid-value');
  const items = value as readonly unknown[];
  let size = field.compact ? sizeOfUnsignedVarint(items.length + 1) : 4;
  const fixed = FIXED_BYTES[field.kind];
  if (fixed !== undefined) return size + fixed * items.length;
  for (let i = 0; i < items.length; i++) {
    try {
      if (items[i] === null || items[i] === undefined) throw nullNotAllowed();
      size += sizeOfValue(field.kind, field.compact, items[i], field.struct);
    } catch (error) {
      throw withPath(error, String(i));
    }
  }
  return size;
}

function sizeOfValue(kind: Kind, compact: boolean, value: unknown, struct: StructPlan | null): number {
  const fixed = FIXED_BYTES[kind];
  if (fixed !== undefined) return fixed;
  if (kind === Kind.STRUCT) return sizeOfStruct(struct!, value);
  const length = kind === Kind.STRING ? stringBytes(value as string) : bytesLength(value as Uint8Array);
  if (compact) return sizeOfUnsignedVarint(length + 1) + length;
  return (kind === Kind.STRING ? 2 : 4) + length;
}

/** Tagged fields written in this struct: those whose value differs from the default. */
function taggedToWrite(plan: StructPlan, struct: Struct): readonly FieldPlan[] {
  if (plan.tagged.length === 0) return plan.tagged;
  return plan.tagged.filter((field) => !isDefault(field, struct[field.name]));
}

function sizeOfTaggedSection(plan: StructPlan, struct: Struct): number {
  const present = taggedToWrite(plan, struct);
  let size = sizeOfUnsignedVarint(present.length);
  for (const field of present) {
    const valueSize = sizeOfFieldAt(field, struct[field.name]);
    size += sizeOfUnsignedVarint(field.tag) + sizeOfUnsignedVarint(valueSize) + valueSize;
  }
  return size;
}

/** Deep "equals its default" test deciding whether a tagged field is written at all (README §4.4). */
function isDefault(field: FieldPlan, value: unknown): boolean {
  const fallback = field.defaultValue;
  if (value === undefined || value === fallback) return true;
  if (value === null || fallback === null) return false;
  if (field.array) return Array.isArray(value) && value.length === 0;
  if (field.kind === Kind.STRUCT) return isDefaultStruct(field.struct!, value);
  if (value instanceof Uint8Array) return value.length === 0 && (fallback as Uint8Array).length === 0;
  return false;
}

function isDefaultStruct(plan: StructPlan, value: unknown): boolean {
  const struct = asStruct(value);
  return plan.wire.every((f) => isDefault(f, struct[f.name])) && plan.tagged.every((f) => isDefault(f, struct[f.name]));
}

// ---- writes ------------------------------------------------------------------------------------------------

export function writeStruct(writer: Writer, plan: StructPlan, value: unknown): void {
  const struct = asStruct(value);
  for (const field of plan.wire) writeFieldAt(writer, field, fieldValueOf(struct, field));
  if (plan.flexible) writeTaggedSection(writer, plan, struct);
}

function writeFieldAt(writer: Writer, field: FieldPlan, value: unknown): void {
  try {
    writeField(writer, field, value);
  } catch (error) {
    throw withPath(error, field.name);
  }
}

function writeField(writer: Writer, field: FieldPlan, value: unknown): void {
  if (value === null) {
    if (!field.nullable) throw nullNotAllowed();
    writeNull(writer, field);
  } else if (field.array) {
    writeArray(writer, field, value as readonly unknown[]);
  } else {
    if (field.kind === Kind.STRUCT && field.nullable) writer.int8(1);
    writeValue(writer, field.kind, field.compact, value, field.struct);
  }
}

function writeNull(writer: Writer, field: FieldPlan): void {
  if (field.kind === Kind.STRUCT && !field.array) writer.int8(-1);
  else if (field.compact) writer.unsignedVarint(0);
  else if (field.kind === Kind.STRING && !field.array) writer.int16(-1);
  else writer.int32(-1);
}

function writeArray(writer: Writer, field: FieldPlan, items: readonly unknown[]): void {
  if (field.compact) writer.compactArrayLength(items.length);
  else writer.arrayLength(items.length);
  let i = 0;
  try {
    for (; i < items.length; i++) {
      if (items[i] === null || items[i] === undefined) throw nullNotAllowed();
      writeValue(writer, field.kind, field.compact, items[i], field.struct);
    }
  } catch (error) {
    throw withPath(error, String(i));
  }
}

function writeValue(writer: Writer, kind: Kind, compact: boolean, value: unknown, struct: StructPlan | null): void {
  switch (kind) {
    case Kind.BOOL:
      return writer.bool(value as boolean);
    case Kind.INT8:
      return writer.int8(value as number);
    case Kind.INT16:
      return writer.int16(value as number);
    case Kind.UINT16:
      return writer.uint16(value as number);
    case Kind.INT32:
      return writer.int32(value as number);
    case Kind.UINT32:
      return writer.uint32(value as number);
    case Kind.INT64:
      return writer.int64(value as number);
    case Kind.FLOAT64:
      return writer.float64(value as number);
    case Kind.UUID:
      return writer.uuid(value as string);
    case Kind.STRING:
      return compact ? writer.compactString(value as string) : writer.string(value as string);
    case Kind.BYTES:
    case Kind.RECORDS:
      return compact ? writer.compactBytes(value as Uint8Array) : writer.bytes(value as Uint8Array);
    case Kind.STRUCT:
      return writeStruct(writer, struct!, value);
  }
}

// Tagged-field section: uvarint count, then per field (ascending tag) uvarint tag, uvarint size, value.
function writeTaggedSection(writer: Writer, plan: StructPlan, struct: Struct): void {
  const present = taggedToWrite(plan, struct);
  writer.unsignedVarint(present.length);
  for (const field of present) {
    const value = struct[field.name];
    writer.unsignedVarint(field.tag);
    writer.unsignedVarint(sizeOfFieldAt(field, value));
    writeFieldAt(writer, field, value);
  }
}
