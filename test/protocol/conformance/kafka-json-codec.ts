// An encoder and decoder for Kafka messages driven by Kafka's own JSON message schemas
// (../shared/kafka-protocol/messages, read at test time, never copied into the project), written
// independently of Fjord's codec so the conformance test checks Fjord against Kafka's definitions rather
// than against itself. Values are plain objects keyed by Kafka's field names (PascalCase); int64 fields
// decode as bigint and encode from number or bigint. Runs in the test process.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KAFKA_MESSAGES_DIR = fileURLToPath(new URL('../../../../shared/kafka-protocol/messages', import.meta.url));

interface JsonField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: JsonField[];
}

export interface JsonMessage {
  apiKey: number;
  type: 'request' | 'response';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: JsonField[];
  commonStructs?: Array<{ name: string; versions: string; fields: JsonField[] }>;
}

export type Value = Record<string, unknown>;

/** The JSON files carry `//` comments; strip whole-line and trailing ones (no string in them contains `//` after a quote-free run). */
function parseCommented(text: string): unknown {
  const lines = text.split('\n').map((line) => {
    let inString = false;
    for (let i = 0; i < line.length - 1; i++) {
      const c = line[i];
      if (c === '"' && line[i - 1] !== '\\') inString = !inString;
      if (!inString && c === '/' && line[i + 1] === '/') return line.slice(0, i);
    }
    return line;
  });
  return JSON.parse(lines.join('\n'));
}

export interface KafkaApiSchemas {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  request: JsonMessage;
  response: JsonMessage;
}

let cache: Map<number, KafkaApiSchemas> | undefined;

/** Every request/response pair in Kafka's schema folder, by API key. */
export function kafkaApis(): Map<number, KafkaApiSchemas> {
  if (cache !== undefined) return cache;
  const messages = new Map<string, JsonMessage>();
  for (const file of readdirSync(KAFKA_MESSAGES_DIR)) {
    if (!file.endsWith('.json')) continue;
    const message = parseCommented(readFileSync(join(KAFKA_MESSAGES_DIR, file), 'utf8')) as JsonMessage;
    messages.set(message.name, message);
  }
  cache = new Map();
  for (const message of messages.values()) {
    if (message.type !== 'request') continue;
    const response = messages.get(message.name.replace(/Request$/, 'Response'));
    if (response === undefined) throw new Error(`no response schema for ${message.name}`);
    const [min, max] = versionBounds(message.validVersions);
    cache.set(message.apiKey, {
      apiKey: message.apiKey,
      name: message.name.replace(/Request$/, ''),
      minVersion: min,
      maxVersion: max,
      request: message,
      response,
    });
  }
  return cache;
}

function versionBounds(range: string): [number, number] {
  if (range === 'none') return [1, 0];
  if (range.endsWith('+')) return [Number(range.slice(0, -1)), Number.MAX_SAFE_INTEGER];
  const [low, high] = range.split('-');
  return [Number(low), Number(high ?? low)];
}

function inRange(range: string | undefined, version: number): boolean {
  if (range === undefined) return false;
  const [low, high] = versionBounds(range);
  return version >= low && version <= high;
}

/** Request header v1 (v2 when the request's version is flexible); response header v0 (v1 when flexible, never for ApiVersions). */
export function encodeRequestFrame(api: KafkaApiSchemas, version: number, correlationId: number, body: Value, clientId = 'conformance'): Buffer {
  const out = new Out();
  const flexible = inRange(api.request.flexibleVersions, version);
  out.int16(api.apiKey);
  out.int16(version);
  out.int32(correlationId);
  out.legacyString(clientId);
  if (flexible) out.uvarint(0);
  writeStruct(out, api.request.fields, body, version, flexible, structsOf(api.request));
  const payload = out.bytes();
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeInt32BE(payload.length, 0);
  payload.copy(frame, 4);
  return frame;
}

/** `frame` without its size prefix: the correlation id and the body, which must be read to the last byte. */
export function decodeResponseFrame(api: KafkaApiSchemas, version: number, frame: Buffer): { correlationId: number; body: Value } {
  const input = new In(frame);
  const correlationId = input.int32();
  const flexible = inRange(api.response.flexibleVersions, version);
  if (flexible && api.apiKey !== 18) skipTaggedFields(input);
  const body = readStruct(input, api.response.fields, version, flexible, structsOf(api.response));
  if (input.offset !== frame.length) throw new Error(`${api.name} v${version} response: ${frame.length - input.offset} bytes left over`);
  return { correlationId, body };
}

function structsOf(message: JsonMessage): Map<string, JsonField[]> {
  const structs = new Map<string, JsonField[]>();
  for (const common of message.commonStructs ?? []) structs.set(common.name, common.fields);
  return structs;
}

function fieldsOfStruct(field: JsonField, typeName: string, structs: Map<string, JsonField[]>): JsonField[] {
  const fields = field.fields ?? structs.get(typeName);
  if (fields === undefined) throw new Error(`no fields for struct ${typeName} of ${field.name}`);
  return fields;
}

const SCALARS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);

function defaultOf(field: JsonField, version: number): unknown {
  const d = field.default;
  const nullable = inRange(field.nullableVersions, version);
  if (d === 'null') return null;
  if (field.type.startsWith('[]')) return [];
  switch (field.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'int64':
      return d === undefined || d === '' ? 0n : BigInt(d);
    case 'string':
      return d === undefined ? '' : String(d);
    case 'uuid':
      return Buffer.alloc(16);
    case 'bytes':
      return nullable ? null : Buffer.alloc(0);
    case 'records':
      return null;
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return d === undefined || d === '' ? 0 : Number(d);
    default:
      // A struct: its fields take their own defaults when it is written.
      return {};
  }
}

function isDefault(field: JsonField, value: unknown, version: number): boolean {
  const d = defaultOf(field, version);
  if (value === undefined) return true;
  if (Array.isArray(value)) return Array.isArray(d) && value.length === 0;
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(d) && d.equals(value);
  if (typeof value === 'object' && value !== null) return false;
  return value === d || (typeof d === 'bigint' && BigInt(value as number) === d);
}

function writeStruct(out: Out, fields: JsonField[], value: Value, version: number, flexible: boolean, structs: Map<string, JsonField[]>): void {
  const tagged: Array<{ tag: number; bytes: Buffer }> = [];
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue;
    const v = value[field.name] === undefined ? defaultOf(field, version) : value[field.name];
    if (flexible && inRange(field.taggedVersions, version)) {
      if (isDefault(field, value[field.name], version)) continue;
      const inner = new Out();
      writeField(inner, field, v, version, flexible, structs);
      tagged.push({ tag: field.tag as number, bytes: inner.bytes() });
      continue;
    }
    writeField(out, field, v, version, flexible, structs);
  }
  if (!flexible) return;
  tagged.sort((a, b) => a.tag - b.tag);
  out.uvarint(tagged.length);
  for (const { tag, bytes } of tagged) {
    out.uvarint(tag);
    out.uvarint(bytes.length);
    out.raw(bytes);
  }
}

function writeField(out: Out, field: JsonField, value: unknown, version: number, flexible: boolean, structs: Map<string, JsonField[]>): void {
  const nullable = inRange(field.nullableVersions, version);
  if (value === null && !nullable && field.type !== 'records') throw new Error(`${field.name} is not nullable in v${version}`);
  if (field.type.startsWith('[]')) {
    const item = field.type.slice(2);
    const items = value as unknown[] | null;
    if (flexible) out.uvarint(items === null ? 0 : items.length + 1);
    else out.int32(items === null ? -1 : items.length);
    for (const element of items ?? []) {
      if (SCALARS.has(item)) writeScalar(out, item, element, flexible);
      else writeStruct(out, fieldsOfStruct(field, item, structs), element as Value, version, flexible, structs);
    }
    return;
  }
  if (SCALARS.has(field.type)) {
    writeScalar(out, field.type, value, flexible);
    return;
  }
  if (nullable) out.int8(value === null ? -1 : 1);
  if (value !== null) writeStruct(out, fieldsOfStruct(field, field.type, structs), value as Value, version, flexible, structs);
}

function writeScalar(out: Out, type: string, value: unknown, flexible: boolean): void {
  switch (type) {
    case 'bool':
      return out.int8(value ? 1 : 0);
    case 'int8':
      return out.int8(value as number);
    case 'int16':
      return out.int16(value as number);
    case 'uint16':
      return out.uint16(value as number);
    case 'int32':
      return out.int32(value as number);
    case 'uint32':
      return out.uint32(value as number);
    case 'int64':
      return out.int64(BigInt(value as number | bigint));
    case 'float64':
      return out.float64(value as number);
    case 'uuid':
      return out.raw(value as Buffer);
    case 'string': {
      const s = value as string | null;
      const bytes = s === null ? null : Buffer.from(s, 'utf8');
      if (flexible) out.uvarint(bytes === null ? 0 : bytes.length + 1);
      else out.int16(bytes === null ? -1 : bytes.length);
      if (bytes !== null) out.raw(bytes);
      return;
    }
    default: {
      const b = value as Buffer | null;
      if (flexible) out.uvarint(b === null ? 0 : b.length + 1);
      else out.int32(b === null ? -1 : b.length);
      if (b !== null) out.raw(b);
    }
  }
}

function readStruct(input: In, fields: JsonField[], version: number, flexible: boolean, structs: Map<string, JsonField[]>): Value {
  const value: Value = {};
  const byTag = new Map<number, JsonField>();
  for (const field of fields) {
    if (!inRange(field.versions, version)) continue;
    if (flexible && inRange(field.taggedVersions, version)) {
      byTag.set(field.tag as number, field);
      value[field.name] = defaultOf(field, version);
      continue;
    }
    value[field.name] = readField(input, field, version, flexible, structs);
  }
  if (!flexible) return value;
  const count = input.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = input.uvarint();
    const size = input.uvarint();
    const field = byTag.get(tag);
    if (field === undefined) {
      input.skip(size);
      continue;
    }
    const end = input.offset + size;
    value[field.name] = readField(input, field, version, flexible, structs);
    if (input.offset !== end) throw new Error(`tagged field ${field.name}: size ${size} does not match its contents`);
  }
  return value;
}

function readField(input: In, field: JsonField, version: number, flexible: boolean, structs: Map<string, JsonField[]>): unknown {
  const nullable = inRange(field.nullableVersions, version);
  if (field.type.startsWith('[]')) {
    const item = field.type.slice(2);
    const count = flexible ? input.uvarint() - 1 : input.int32();
    if (count < 0) {
      if (!nullable) throw new Error(`${field.name}: null array where the schema allows none`);
      return null;
    }
    if (count > input.remaining()) throw new Error(`${field.name}: ${count} elements claimed, ${input.remaining()} bytes left`);
    const items: unknown[] = [];
    for (let i = 0; i < count; i++) {
      items.push(
        SCALARS.has(item)
          ? readScalar(input, item, flexible, field.name, nullable)
          : readStruct(input, fieldsOfStruct(field, item, structs), version, flexible, structs),
      );
    }
    return items;
  }
  if (SCALARS.has(field.type)) return readScalar(input, field.type, flexible, field.name, nullable || field.type === 'records');
  if (nullable && input.int8() < 0) return null;
  return readStruct(input, fieldsOfStruct(field, field.type, structs), version, flexible, structs);
}

function readScalar(input: In, type: string, flexible: boolean, name: string, nullable: boolean): unknown {
  switch (type) {
    case 'bool': {
      const b = input.int8();
      if (b !== 0 && b !== 1) throw new Error(`${name}: bool byte ${b}`);
      return b === 1;
    }
    case 'int8':
      return input.int8();
    case 'int16':
      return input.int16();
    case 'uint16':
      return input.uint16();
    case 'int32':
      return input.int32();
    case 'uint32':
      return input.uint32();
    case 'int64':
      return input.int64();
    case 'float64':
      return input.float64();
    case 'uuid':
      return input.take(16);
    case 'string': {
      const length = flexible ? input.uvarint() - 1 : input.int16();
      if (length < 0) {
        if (!nullable) throw new Error(`${name}: null string where the schema allows none`);
        return null;
      }
      return input.take(length).toString('utf8');
    }
    default: {
      const length = flexible ? input.uvarint() - 1 : input.int32();
      if (length < 0) {
        if (!nullable) throw new Error(`${name}: null bytes where the schema allows none`);
        return null;
      }
      return input.take(length);
    }
  }
}

function skipTaggedFields(input: In): void {
  const count = input.uvarint();
  for (let i = 0; i < count; i++) {
    input.uvarint();
    input.skip(input.uvarint());
  }
}

class Out {
  private readonly chunks: Buffer[] = [];

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  raw(b: Buffer): void {
    this.chunks.push(Buffer.from(b));
  }
  private fixed(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.chunks.push(b);
  }
  int8(v: number): void {
    this.fixed(1, (b) => b.writeInt8(v));
  }
  int16(v: number): void {
    this.fixed(2, (b) => b.writeInt16BE(v));
  }
  uint16(v: number): void {
    this.fixed(2, (b) => b.writeUInt16BE(v));
  }
  int32(v: number): void {
    this.fixed(4, (b) => b.writeInt32BE(v));
  }
  uint32(v: number): void {
    this.fixed(4, (b) => b.writeUInt32BE(v));
  }
  int64(v: bigint): void {
    this.fixed(8, (b) => b.writeBigInt64BE(v));
  }
  float64(v: number): void {
    this.fixed(8, (b) => b.writeDoubleBE(v));
  }
  legacyString(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.int16(b.length);
    this.raw(b);
  }
  uvarint(v: number): void {
    const bytes: number[] = [];
    let rest = v >>> 0;
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(rest);
    this.chunks.push(Buffer.from(bytes));
  }
}

class In {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  remaining(): number {
    return this.buf.length - this.offset;
  }
  private need(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length) throw new Error(`truncated: need ${n} bytes at ${this.offset} of ${this.buf.length}`);
    const at = this.offset;
    this.offset += n;
    return at;
  }
  take(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  skip(n: number): void {
    this.need(n);
  }
  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf.readUInt8(this.need(1));
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new Error('unsigned varint longer than 5 bytes');
  }
}
