// Declares one Kafka API for the registry: key, name, the versions this codec handles, flexible versions, and
// the request and response field lists. Runs on the main thread (at import, every version's plan is compiled
// once, so a mistake in a schema file fails at start-up rather than on the first request).
import { planOf } from './plan.js';
import { message, type FieldSpec, type MessageInput, type MessageSchema, type MessageValue, type VersionRange } from './types.js';
import { parseVersions } from './versions.js';

export interface ApiDefinition<K extends number = number, Req extends MessageSchema = MessageSchema, Res extends MessageSchema = MessageSchema> {
  readonly apiKey: K;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (compact types, tagged fields, header v2 / v1); null = never flexible. */
  readonly flexibleFrom: number | null;
  readonly request: Req;
  readonly response: Res;
}

export interface ApiSpec<K extends number, Req extends readonly FieldSpec[], Res extends readonly FieldSpec[]> {
  readonly apiKey: K;
  /** Kafka's name, e.g. 'Produce'; the messages are named `${name}Request` / `${name}Response`. */
  readonly name: string;
  /** The closed range this codec encodes and decodes, e.g. '0-9'. */
  readonly versions: VersionRange;
  /** The API's flexibleVersions from the reference, shared by request and response: 'N+' or 'none'. */
  readonly flexibleVersions: VersionRange;
  readonly request: Req;
  readonly response: Res;
}

function flexibleFromOf(range: VersionRange, name: string): number | null {
  const { min, max } = parseVersions(range);
  if (range === 'none') return null;
  if (max !== Infinity) throw new Error(`${name}: flexible versions must be open-ended, got '${range}'`);
  return min;
}

export function defineApi<const K extends number, const Req extends readonly FieldSpec[], const Res extends readonly FieldSpec[]>(
  spec: ApiSpec<K, Req, Res>,
): ApiDefinition<K, MessageSchema<Req>, MessageSchema<Res>> {
  const { min, max } = parseVersions(spec.versions);
  if (max === Infinity) throw new Error(`${spec.name}: the codec's version range must be closed, got '${spec.versions}'`);
  const request = message(`${spec.name}Request`, spec.flexibleVersions, spec.request);
  const response = message(`${spec.name}Response`, spec.flexibleVersions, spec.response);
  for (let version = min; version <= max; version++) {
    planOf(request, version);
    planOf(response, version);
  }
  const flexibleFrom = flexibleFromOf(spec.flexibleVersions, spec.name);
  return { apiKey: spec.apiKey, name: spec.name, minVersion: min, maxVersion: max, flexibleFrom, request, response };
}

/** Decoded request / response body types of an API, and what the encoder accepts for them. */
export type RequestOf<A extends ApiDefinition> = MessageValue<A['request']>;
export type ResponseOf<A extends ApiDefinition> = MessageValue<A['response']>;
export type RequestInputOf<A extends ApiDefinition> = MessageInput<A['request']>;
export type ResponseInputOf<A extends ApiDefinition> = MessageInput<A['response']>;
