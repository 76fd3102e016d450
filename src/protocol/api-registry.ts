// The one registry of Kafka APIs the codec can encode and decode, and the entry points the network layer calls:
// decodeRequest (a frame in) and encodeResponse (a sized frame out). Runs on the main thread.
//
// A frame on the wire is `int32 size | header | body`; decode* take the bytes after the size (the framing code
// has read it to cut the frame), encode* return the whole frame including the size.
import { ProtocolError } from './codec/protocol-error.js';
import { Reader } from './codec/reader.js';
import { type LentSplice, Writer } from './codec/writer.js';
import { alterConfigsApi } from './messages/alter-configs.js';
import { alterPartitionReassignmentsApi } from './messages/alter-partition-reassignments.js';
import { alterReplicaLogDirsApi } from './messages/alter-replica-log-dirs.js';
import { alterUserScramCredentialsApi } from './messages/alter-user-scram-credentials.js';
import { apiVersionsApi } from './messages/api-versions.js';
import { createAclsApi } from './messages/create-acls.js';
import { createPartitionsApi } from './messages/create-partitions.js';
import { createTopicsApi } from './messages/create-topics.js';
import { deleteAclsApi } from './messages/delete-acls.js';
import { deleteGroupsApi } from './messages/delete-groups.js';
import { deleteRecordsApi } from './messages/delete-records.js';
import { deleteTopicsApi } from './messages/delete-topics.js';
import { describeUserScramCredentialsApi } from './messages/describe-user-scram-credentials.js';
import { describeAclsApi } from './messages/describe-acls.js';
import { describeClusterApi } from './messages/describe-cluster.js';
import { describeConfigsApi } from './messages/describe-configs.js';
import { describeGroupsApi } from './messages/describe-groups.js';
import { describeLogDirsApi } from './messages/describe-log-dirs.js';
import { electLeadersApi } from './messages/elect-leaders.js';
import { fetchApi } from './messages/fetch.js';
import { findCoordinatorApi } from './messages/find-coordinator.js';
import { requestHeader, requestHeaderVersion, responseHeader, responseHeaderVersion } from './messages/headers.js';
import { heartbeatApi } from './messages/heartbeat.js';
import { incrementalAlterConfigsApi } from './messages/incremental-alter-configs.js';
import { initProducerIdApi } from './messages/init-producer-id.js';
import { joinGroupApi } from './messages/join-group.js';
import { leaveGroupApi } from './messages/leave-group.js';
import { listGroupsApi } from './messages/list-groups.js';
import { listOffsetsApi } from './messages/list-offsets.js';
import { listPartitionReassignmentsApi } from './messages/list-partition-reassignments.js';
import { metadataApi } from './messages/metadata.js';
import { offsetCommitApi } from './messages/offset-commit.js';
import { offsetDeleteApi } from './messages/offset-delete.js';
import { offsetFetchApi } from './messages/offset-fetch.js';
import { offsetForLeaderEpochApi } from './messages/offset-for-leader-epoch.js';
import { produceApi } from './messages/produce.js';
import { saslAuthenticateApi } from './messages/sasl-authenticate.js';
import { saslHandshakeApi } from './messages/sasl-handshake.js';
import { syncGroupApi } from './messages/sync-group.js';
import type { ApiDefinition } from './schema/api-definition.js';
import { decodeMessage } from './schema/decode.js';
import { sizeOfMessage, writeMessage } from './schema/encode.js';
import type { MessageInput, MessageSchema, MessageValue } from './schema/types.js';

/** Every API the codec handles, with the version range it can encode and decode (ascending key). */
export const apis = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadataApi,
  offsetCommitApi,
  offsetFetchApi,
  findCoordinatorApi,
  joinGroupApi,
  heartbeatApi,
  leaveGroupApi,
  syncGroupApi,
  describeGroupsApi,
  listGroupsApi,
  saslHandshakeApi,
  apiVersionsApi,
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerIdApi,
  offsetForLeaderEpochApi,
  describeAclsApi,
  createAclsApi,
  deleteAclsApi,
  describeConfigsApi,
  alterConfigsApi,
  alterReplicaLogDirsApi,
  describeLogDirsApi,
  saslAuthenticateApi,
  createPartitionsApi,
  deleteGroupsApi,
  electLeadersApi,
  incrementalAlterConfigsApi,
  alterPartitionReassignmentsApi,
  listPartitionReassignmentsApi,
  offsetDeleteApi,
  describeUserScramCredentialsApi,
  alterUserScramCredentialsApi,
  describeClusterApi,
] as const;

export type KnownApi = (typeof apis)[number];
export type ApiKey = KnownApi['apiKey'];
export type ApiOf<K extends number> = Extract<KnownApi, { apiKey: K }>;
export type ResponseInput<K extends ApiKey> = MessageInput<ApiOf<K>['response']>;
export type RequestInput<K extends ApiKey> = MessageInput<ApiOf<K>['request']>;

const byKey: (KnownApi | undefined)[] = [];
for (const api of apis) {
  if (byKey[api.apiKey] !== undefined) throw new Error(`API key ${api.apiKey} registered twice`);
  byKey[api.apiKey] = api;
}

export function apiByKey(apiKey: number): KnownApi | undefined {
  return byKey[apiKey];
}

/** { apiKey, minVersion, maxVersion } of every registered API: the codec's side of an ApiVersions answer. */
export function supportedVersions(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return apis.map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }));
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** A null client id reads as '' (as Kafka's RequestHeader.parse does). */
  clientId: string;
}

/**
 * The request could not be served, but its header was read, so the broker can answer by correlation id:
 * kind 'unsupported-version' → answer UNSUPPORTED_VERSION; kind 'unknown-api-key' → close the connection.
 */
export class UnsupportedRequestError extends ProtocolError {
  constructor(
    detail: string,
    kind: 'unsupported-version' | 'unknown-api-key',
    readonly header: RequestHeader,
  ) {
    super(detail, kind);
  }
}

type DecodedOf<A> = A extends ApiDefinition<infer K, infer Req, MessageSchema> ? { apiKey: K; header: RequestHeader; api: A; body: MessageValue<Req> } : never;

/** A decoded request; `switch (request.apiKey)` narrows `body` to that API's request type. */
export type DecodedRequest = DecodedOf<KnownApi>;

function readHeader(frame: Buffer): { header: RequestHeader; api: KnownApi | undefined; headerBytes: number } {
  const peek = new Reader(frame);
  const apiKey = peek.int16();
  const apiVersion = peek.int16();
  const api = apiByKey(apiKey);
  const decoded = decodeMessage(requestHeader, requestHeaderVersion(api, apiVersion), frame);
  const { correlationId, clientId } = decoded.value;
  return { header: { apiKey, apiVersion, correlationId, clientId: clientId ?? '' }, api, headerBytes: decoded.bytesRead };
}

function checkServed(api: KnownApi | undefined, header: RequestHeader): KnownApi {
  if (api === undefined) {
    throw new UnsupportedRequestError(`unknown API key ${header.apiKey}`, 'unknown-api-key', header);
  }
  if (header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) {
    const detail = `${api.name} v${header.apiVersion} is not supported (v${api.minVersion}-${api.maxVersion})`;
    throw new UnsupportedRequestError(detail, 'unsupported-version', header);
  }
  return api;
}

/**
 * Decodes one request frame (the bytes after the int32 size). Throws ProtocolError: kind 'malformed' for bad
 * bytes (including bytes left over after the body), or UnsupportedRequestError for an unknown key or version.
 * Bytes and records fields of the body are subarrays of `frame`.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const { header, api: maybeApi, headerBytes } = readHeader(frame);
  const api = checkServed(maybeApi, header);
  const body = decodeMessage(api.request as MessageSchema, header.apiVersion, frame, headerBytes);
  const left = frame.length - headerBytes - body.bytesRead;
  if (left !== 0) throw new ProtocolError(`${api.name} v${header.apiVersion} request: ${left} bytes left after the body`);
  return { apiKey: api.apiKey, header, api, body: body.value } as DecodedRequest;
}

function checkEncodable(apiKey: number, apiVersion: number): KnownApi {
  const api = apiByKey(apiKey);
  if (api === undefined) throw new ProtocolError(`unknown API key ${apiKey}`, 'invalid-value');
  if (apiVersion < api.minVersion || apiVersion > api.maxVersion) {
    throw new ProtocolError(`${api.name} v${apiVersion} is outside v${api.minVersion}-${api.maxVersion}`, 'invalid-value');
  }
  return api;
}

/** Where a frame's bytes come from: by default a fresh buffer; the broker passes a pool for large responses. */
export type FrameAllocator = (bytes: number) => Buffer;

/**
 * A frame encoded in parts: `parts` in wire order are views of `head` (the encoded fields) with the lent
 * values between them, uncopied; their lengths sum to `length`, the whole frame's, int32 size included.
 */
export interface EncodedParts {
  head: Buffer;
  parts: Buffer[];
  length: number;
}

/**
 * int32 size | header | body, sized first and written into one allocation; values in `lend` (each must occur
 * exactly once in the body) are not copied but spliced into `parts` between views of that allocation.
 */
function encodeFrame<H extends MessageSchema>(
  header: { schema: H; version: number; value: MessageInput<H> },
  body: { schema: MessageSchema; version: number; value: object },
  allocate: FrameAllocator = Buffer.allocUnsafe,
  lend: ReadonlySet<Uint8Array> | null = null,
): EncodedParts {
  const headerSize = sizeOfMessage(header.schema, header.version, header.value);
  const bodySize = sizeOfMessage(body.schema, body.version, body.value);
  let lentBytes = 0;
  for (const value of lend ?? []) lentBytes += value.length;
  const writer = new Writer(allocate(4 + headerSize + bodySize - lentBytes), 0, lend);
  writer.int32(headerSize + bodySize);
  writeMessage(writer, header.schema, header.version, header.value);
  writeMessage(writer, body.schema, body.version, body.value);
  if (writer.offset !== writer.buf.length) throw new Error(`frame: wrote ${writer.offset} of ${writer.buf.length} bytes`);
  if (writer.splices.length !== (lend?.size ?? 0)) throw new Error(`frame: ${writer.splices.length} values lent of ${lend?.size ?? 0}`);
  return { head: writer.buf, parts: partsOf(writer.buf, writer.splices), length: 4 + headerSize + bodySize };
}

/** The head cut at each splice, the lent values between the pieces (empty pieces left out). */
function partsOf(head: Buffer, splices: readonly LentSplice[]): Buffer[] {
  if (splices.length === 0) return [head];
  const parts: Buffer[] = [];
  let from = 0;
  for (const { at, value } of splices) {
    if (at > from) parts.push(head.subarray(from, at));
    parts.push(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length));
    from = at;
  }
  if (head.length > from) parts.push(head.subarray(from));
  return parts;
}

/**
 * Encodes a response frame: int32 size, the response header this API and version call for, then `body`.
 * Fields left out of `body` are written as their defaults. ApiVersions errors (KIP-511) are answered with
 * `encodeResponse(18, 0, correlationId, { errorCode: 35, apiKeys: [...] })`.
 */
export function encodeResponse<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInput<K>,
  allocate?: FrameAllocator,
): Buffer {
  return encodeResponseParts(apiKey, apiVersion, correlationId, body, allocate).head;
}

/**
 * `encodeResponse` for a response to be written as several buffers: the values in `lend` (Buffers the body
 * holds, each once, e.g. fetched records) are not copied into the frame but placed between its parts.
 */
export function encodeResponseParts<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseInput<K>,
  allocate?: FrameAllocator,
  lend: ReadonlySet<Uint8Array> | null = null,
): EncodedParts {
  const api = checkEncodable(apiKey, apiVersion);
  return encodeFrame(
    { schema: responseHeader, version: responseHeaderVersion(api, apiVersion), value: { correlationId } },
    { schema: api.response, version: apiVersion, value: body },
    allocate,
    lend,
  );
}

/** Encodes a request frame (int32 size, header, body): for tests, tools and inter-broker clients. */
export function encodeRequest<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, clientId: string | null, body: RequestInput<K>): Buffer {
  const api = checkEncodable(apiKey, apiVersion);
  const value = { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId };
  return encodeFrame(
    { schema: requestHeader, version: requestHeaderVersion(api, apiVersion), value },
    { schema: api.request, version: apiVersion, value: body },
  ).head;
}

/** Decodes a response frame (the bytes after the int32 size) of a request sent at `apiVersion`. */
export function decodeResponse<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: MessageValue<ApiOf<K>['response']> } {
  const api = checkEncodable(apiKey, apiVersion);
  const header = decodeMessage(responseHeader, responseHeaderVersion(api, apiVersion), frame);
  const body = decodeMessage(api.response as MessageSchema, apiVersion, frame, header.bytesRead);
  const left = frame.length - header.bytesRead - body.bytesRead;
  if (left !== 0) throw new ProtocolError(`${api.name} v${apiVersion} response: ${left} bytes left after the body`);
  return { correlationId: header.value.correlationId, body: body.value as MessageValue<ApiOf<K>['response']> };
}
