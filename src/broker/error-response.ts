// The response body a request gets when its handler failed: the API's own response shape with an error
// code at every level that has one (top level, and each topic, partition, group or resource the request
// named), the way Kafka's AbstractRequest.getErrorResponse answers, derived from the field lists rather than
// written per API. Entities are matched by field name, else by role (a topic is `name` or `topic`, a
// partition `partitionIndex`, `partition` or `index`); a response list is filled only from a request list
// of the same name, or from the only list on each side. Runs on the main thread.
import type { DecodedRequest } from '../protocol/api-registry.js';
import type { FieldSpec } from '../protocol/schema/types.js';
import { inVersions } from '../protocol/schema/versions.js';

type Struct = Record<string, unknown>;

/** Names that mean the same entity in a request and its response. */
const ROLES: readonly (readonly string[])[] = [
  ['name', 'topic', 'topicName'],
  ['partitionIndex', 'partition', 'index'],
];

export function errorResponseBody(request: DecodedRequest, errorCode: number): Struct {
  const version = request.header.apiVersion;
  return mirror(present(request.api.request.fields, version), request.body as Struct, present(request.api.response.fields, version), version, errorCode);
}

function mirror(requestFields: FieldSpec[], request: Struct, responseFields: FieldSpec[], version: number, errorCode: number): Struct {
  const out: Struct = {};
  const requestLists = requestFields.filter(isList);
  const responseLists = responseFields.filter(isList);
  for (const field of responseFields) {
    if (field.name === 'errorCode' && field.type === 'int16') out.errorCode = errorCode;
    else if (field.type === '[]struct' && carriesError(field, version)) {
      const source = requestLists.find((f) => f.name === field.name) ?? (requestLists.length === 1 && responseLists.length === 1 ? requestLists[0] : undefined);
      const items = source === undefined ? null : request[source.name];
      if (Array.isArray(items)) out[field.name] = items.map((item) => mirrorItem(source!, item, present(field.fields!, version), version, errorCode));
    } else if (!isList(field) && field.type !== 'struct') {
      const value = scalarFor(field.name, requestFields, request);
      if (value !== undefined) out[field.name] = value;
    }
  }
  return out;
}

/** One element of a request list (a struct, or a bare name) as the matching response element. */
function mirrorItem(source: FieldSpec, item: unknown, fields: FieldSpec[], version: number, errorCode: number): Struct {
  if (source.type === '[]struct') return mirror(present(source.fields!, version), item as Struct, fields, version, errorCode);
  const out = mirror([], {}, fields, version, errorCode);
  const nameField = fields.find((f) => f.type === 'string');
  if (nameField !== undefined) out[nameField.name] = item;
  return out;
}

function scalarFor(name: string, requestFields: FieldSpec[], request: Struct): unknown {
  const names = ROLES.find((role) => role.includes(name)) ?? [name];
  const match = requestFields.find((f) => names.includes(f.name) && !isList(f) && f.type !== 'struct');
  return match === undefined ? undefined : request[match.name];
}

/** Whether a response list has an error code in its elements (or deeper): lists of plain data are left empty. */
function carriesError(field: FieldSpec, version: number): boolean {
  return present(field.fields ?? [], version).some(
    (f) => (f.name === 'errorCode' && f.type === 'int16') || (f.type === '[]struct' && carriesError(f, version)),
  );
}

function isList(field: FieldSpec): boolean {
  return field.type.startsWith('[]');
}

function present(fields: readonly FieldSpec[], version: number): FieldSpec[] {
  return fields.filter((f) => inVersions(f.versions, version));
}
