// Resolves a message schema at one version into a plan: each field's placement (on the wire, tagged, or absent),
// encoding (compact or not), nullability and default. Compiled once per (schema, version) and cached, so the
// interpreter never looks at version ranges per message. Runs on the main thread.
import { ZERO_UUID } from '../codec/reader.js';
import type { FieldSpec, FieldType, MessageSchema, VersionRange } from './types.js';
import { inVersions } from './versions.js';

export const Kind = {
  BOOL: 0,
  INT8: 1,
  INT16: 2,
  UINT16: 3,
  INT32: 4,
  UINT32: 5,
  INT64: 6,
  FLOAT64: 7,
  UUID: 8,
  STRING: 9,
  BYTES: 10,
  RECORDS: 11,
  STRUCT: 12,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export const Placement = { WIRE: 0, TAGGED: 1, ABSENT: 2 } as const;
export type Placement = (typeof Placement)[keyof typeof Placement];

export interface FieldPlan {
  readonly name: string;
  /** Kind of the value, or of each item when `array`. */
  readonly kind: Kind;
  readonly array: boolean;
  readonly nullable: boolean;
  readonly compact: boolean;
  readonly placement: Placement;
  readonly tag: number;
  /** Plan of the struct (or of each item of a struct array). */
  readonly struct: StructPlan | null;
  /** Immutable default used when encoding an undefined value; decode builds fresh arrays and structs. */
  readonly defaultValue: unknown;
  /** Fewest bytes one item (or the value) can take on the wire: bounds array counts before allocating. */
  readonly itemBytesMin: number;
}

export interface StructPlan {
  readonly name: string;
  readonly flexible: boolean;
  /** Every field of the schema in declaration order (decoded objects get them all, in this order). */
  readonly fields: readonly FieldPlan[];
  /** Fields on the wire in this version, in wire order. */
  readonly wire: readonly FieldPlan[];
  /** Tagged fields in this version, ascending by tag. */
  readonly tagged: readonly FieldPlan[];
  readonly bytesMin: number;
}

const SCALAR_KINDS: Record<string, Kind> = {
  bool: Kind.BOOL,
  int8: Kind.INT8,
  int16: Kind.INT16,
  uint16: Kind.UINT16,
  int32: Kind.INT32,
  uint32: Kind.UINT32,
  int64: Kind.INT64,
  float64: Kind.FLOAT64,
  uuid: Kind.UUID,
  string: Kind.STRING,
  bytes: Kind.BYTES,
  records: Kind.RECORDS,
  struct: Kind.STRUCT,
};

/** Wire size of the fixed-width kinds. */
export const FIXED_BYTES: Partial<Record<Kind, number>> = {
  [Kind.BOOL]: 1,
  [Kind.INT8]: 1,
  [Kind.INT16]: 2,
  [Kind.UINT16]: 2,
  [Kind.INT32]: 4,
  [Kind.UINT32]: 4,
  [Kind.INT64]: 8,
  [Kind.FLOAT64]: 8,
  [Kind.UUID]: 16,
};

const EMPTY_BYTES = Buffer.alloc(0);
const EMPTY_ARRAY: readonly unknown[] = Object.freeze([]);
const EMPTY_STRUCT: object = Object.freeze({});

function kindOf(type: FieldType): { kind: Kind; array: boolean } {
  const array = type.startsWith('[]');
  const kind = SCALAR_KINDS[array ? type.slice(2) : type];
  if (kind === undefined) throw new Error(`unknown field type '${type}'`);
  return { kind, array };
}

function implicitDefault(kind: Kind, array: boolean): unknown {
  if (array) return EMPTY_ARRAY;
  if (kind === Kind.BOOL) return false;
  if (kind === Kind.UUID) return ZERO_UUID;
  if (kind === Kind.STRING) return '';
  if (kind === Kind.BYTES) return EMPTY_BYTES;
  if (kind === Kind.RECORDS) return null;
  if (kind === Kind.STRUCT) return EMPTY_STRUCT;
  return 0;
}

/** Fewest wire bytes of one value of `kind` (a null length prefix counts: it is as short as an empty value). */
function valueBytesMin(kind: Kind, compact: boolean, struct: StructPlan | null, nullable: boolean): number {
  const fixed = FIXED_BYTES[kind];
  if (fixed !== undefined) return fixed;
  if (kind === Kind.STRING) return compact ? 1 : 2;
  if (kind === Kind.BYTES || kind === Kind.RECORDS) return compact ? 1 : 4;
  return nullable ? 1 : struct!.bytesMin;
}

function placementOf(spec: FieldSpec, version: number, flexible: boolean, owner: string): Placement {
  if (!inVersions(spec.versions, version)) return Placement.ABSENT;
  if (!inVersions(spec.taggedVersions, version)) return Placement.WIRE;
  if (!flexible) throw new Error(`${owner}.${spec.name}: tagged in non-flexible version ${version}`);
  if (spec.tag === undefined || !Number.isInteger(spec.tag) || spec.tag < 0) {
    throw new Error(`${owner}.${spec.name}: tagged field without a valid tag`);
  }
  return Placement.TAGGED;
}

function compileField(spec: FieldSpec, version: number, flexible: boolean, owner: string): FieldPlan {
  const { kind, array } = kindOf(spec.type);
  if ((kind === Kind.STRUCT) !== (spec.fields !== undefined)) {
    throw new Error(`${owner}.${spec.name}: 'fields' goes with struct types, and only with them`);
  }
  const placement = placementOf(spec, version, flexible, owner);
  const compact = flexible && spec.flexibleVersions !== 'none';
  const nullable = kind === Kind.RECORDS || inVersions(spec.nullableVersions, version);
  const struct = spec.fields === undefined ? null : compileStruct(`${owner}.${spec.name}`, spec.fields, version, flexible);
  return {
    name: spec.name,
    kind,
    array,
    nullable,
    compact,
    placement,
    tag: spec.tag ?? -1,
    struct,
    defaultValue: spec.default !== undefined ? spec.default : implicitDefault(kind, array),
    itemBytesMin: valueBytesMin(kind, compact, struct, nullable && !array),
  };
}

function fieldBytesMin(field: FieldPlan): number {
  if (field.placement !== Placement.WIRE) return 0;
  if (field.array) return field.compact ? 1 : 4;
  return field.itemBytesMin;
}

function checkUnique(owner: string, fieldPlans: readonly FieldPlan[]): void {
  const names = new Set<string>();
  const tags = new Set<number>();
  for (const field of fieldPlans) {
    if (names.has(field.name)) throw new Error(`${owner}: duplicate field '${field.name}'`);
    names.add(field.name);
    if (field.placement !== Placement.TAGGED) continue;
    if (tags.has(field.tag)) throw new Error(`${owner}: duplicate tag ${field.tag}`);
    tags.add(field.tag);
  }
}

export function compileStruct(name: string, specs: readonly FieldSpec[], version: number, flexible: boolean): StructPlan {
  const fieldPlans = specs.map((spec) => compileField(spec, version, flexible, name));
  checkUnique(name, fieldPlans);
  const wire = fieldPlans.filter((field) => field.placement === Placement.WIRE);
  const tagged = fieldPlans.filter((field) => field.placement === Placement.TAGGED).sort((a, b) => a.tag - b.tag);
  const bytesMin = wire.reduce((sum, field) => sum + fieldBytesMin(field), flexible ? 1 : 0);
  return { name, flexible, fields: fieldPlans, wire, tagged, bytesMin };
}

const plans = new WeakMap<MessageSchema, Map<number, StructPlan>>();

/** The plan of `schema` at `version`, compiled on first use. */
export function planOf(schema: MessageSchema, version: number): StructPlan {
  let byVersion = plans.get(schema);
  if (byVersion === undefined) {
    byVersion = new Map();
    plans.set(schema, byVersion);
  }
  let plan = byVersion.get(version);
  if (plan === undefined) {
    const flexible = inVersions(schema.flexibleVersions as VersionRange, version);
    plan = compileStruct(schema.name, schema.fields, version, flexible);
    byVersion.set(version, plan);
  }
  return plan;
}
