// Builds representative message values from a schema at one version, for round-trip tests: every field the
// version has gets a distinct non-default value ('full'), or the thinnest legal value ('thin': nulls where
// allowed, empty arrays, tagged fields left at their defaults). Test helper only.
import { ZERO_UUID } from '../../../src/protocol/codec/reader.js';
import type { FieldSpec, MessageSchema, VersionRange } from '../../../src/protocol/schema/types.js';
import { inVersions } from '../../../src/protocol/schema/versions.js';

export type Variant = 'full' | 'thin';
type Struct = Record<string, unknown>;

interface Context {
  version: number;
  variant: Variant;
  counter: number;
  /** Set error codes to 0: clients' parsers throw on non-zero codes. */
  zeroErrorCodes: boolean;
}

const has = (range: VersionRange | undefined, version: number): boolean => inVersions(range, version);

function scalar(type: string, field: FieldSpec, ctx: Context): unknown {
  const n = ++ctx.counter;
  switch (type) {
    case 'bool':
      return field.default !== true;
    case 'int8':
      return (n % 100) + 1;
    case 'int16':
      return field.name === 'errorCode' && ctx.zeroErrorCodes ? 0 : 1000 + n;
    case 'uint16':
      return 60000 + n;
    case 'int32':
      return 100_000 + n;
    case 'uint32':
      return 3_000_000_000 + n;
    case 'int64':
      return 2 ** 40 + n;
    case 'float64':
      return n + 0.5;
    case 'uuid':
      return Buffer.alloc(16, n).toString('base64url');
    case 'string':
      return `${field.name}-${n}${n % 3 === 0 ? '-é' : ''}`;
    case 'bytes':
      return Buffer.from(`bytes-${n}`);
    case 'records':
      return Buffer.alloc(70, n);
    default:
      throw new Error(`no sample for ${type}`);
  }
}

function isTagged(field: FieldSpec, version: number): boolean {
  return has(field.taggedVersions, version);
}

function valueFor(field: FieldSpec, ctx: Context): unknown {
  const nullable = field.type === 'records' || has(field.nullableVersions, ctx.version);
  if (ctx.variant === 'thin' && nullable) return null;
  const array = field.type.startsWith('[]');
  const item = array ? field.type.slice(2) : field.type;
  const make = (): unknown => (item === 'struct' ? sampleStruct(field.fields!, ctx) : scalar(item, field, ctx));
  if (!array) return make();
  return ctx.variant === 'thin' ? [] : [make(), make()];
}

export function sampleStruct(fields: readonly FieldSpec[], ctx: Context): Struct {
  const out: Struct = {};
  for (const field of fields) {
    if (!has(field.versions, ctx.version)) continue;
    if (isTagged(field, ctx.version) && ctx.variant === 'thin') continue;
    out[field.name] = valueFor(field, ctx);
  }
  return out;
}

export function sampleMessage(schema: MessageSchema, version: number, variant: Variant, options: { zeroErrorCodes?: boolean } = {}): Struct {
  return sampleStruct(schema.fields, { version, variant, counter: 0, zeroErrorCodes: options.zeroErrorCodes ?? false });
}

function implicitDefault(field: FieldSpec): unknown {
  if (field.default !== undefined) return field.default;
  if (field.type.startsWith('[]')) return [];
  if (field.type === 'struct') return expectedStruct(field.fields!, {}, -1);
  const defaults: Record<string, unknown> = { bool: false, uuid: ZERO_UUID, string: '', bytes: Buffer.alloc(0), records: null };
  return field.type in defaults ? defaults[field.type] : 0;
}

/** What decoding `value` should give: the given fields, and every other field of the schema at its default. */
export function expectedStruct(fields: readonly FieldSpec[], value: Struct, version: number): Struct {
  const out: Struct = {};
  for (const field of fields) {
    const given = value[field.name];
    if (given === undefined || !has(field.versions, version)) {
      out[field.name] = implicitDefault(field);
    } else if (field.type === 'struct' && given !== null) {
      out[field.name] = expectedStruct(field.fields!, given as Struct, version);
    } else if (field.type === '[]struct' && given !== null) {
      out[field.name] = (given as Struct[]).map((item) => expectedStruct(field.fields!, item, version));
    } else {
      out[field.name] = given;
    }
  }
  return out;
}
