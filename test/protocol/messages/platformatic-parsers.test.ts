// Our responses, read by an independent implementation: for every API and version in the registry that
// @platformatic/kafka implements, a full sample response encoded by Fjord is parsed by that client's own
// parseResponse; it must consume exactly the body and see the same values under the same field names. And the
// other way: the oldest request versions (OffsetCommit v1, ListOffsets v0, Metadata v0) as its encoders write them.
import { describe, expect, it } from 'vitest';
import { apis, decodeRequest, decodeResponse, encodeResponse, type ApiKey } from '../../../src/protocol/api-registry.js';
import { responseHeaderVersion } from '../../../src/protocol/messages/headers.js';
import { Placement, planOf, type StructPlan } from '../../../src/protocol/schema/plan.js';
import { sampleMessage } from '../helpers/samples.js';
import { readGolden } from '../golden/golden-files.js';

// @platformatic/kafka 2.12 calls Promise.withResolvers (Node ≥ 22) at import time in places.
(Promise as unknown as { withResolvers?: unknown }).withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

interface ParserModule {
  parseResponse(correlationId: number, apiKey: number, apiVersion: number, reader: unknown): unknown;
}
interface Platformatic {
  Reader: { from(buf: Buffer): { position: number; length: number } };
  [name: string]: unknown;
}
const platformatic = (await import('@platformatic/kafka')) as unknown as Platformatic;

/** A real record batch v2 (from the captured KafkaJS Produce request): the client parses Fetch records. */
const realBatch = ((): Buffer => {
  const decoded = decodeRequest(readGolden('kafkajs-2.2.4-produce-v7.hex'));
  if (decoded.apiKey !== 0) throw new Error('expected a Produce request');
  return Buffer.from(decoded.body.topicData[0]!.partitionData[0]!.records!);
})();

function moduleName(apiName: string, version: number): string {
  return `${apiName[0]!.toLowerCase()}${apiName.slice(1)}V${version}`;
}

const cases = apis.flatMap((api) =>
  Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })).filter(
    // Some of its modules cannot parse a response (offsetCommitV1 has only createRequest).
    ({ version }) => typeof (platformatic[moduleName(api.name, version)] as Partial<ParserModule> | undefined)?.parseResponse === 'function',
  ),
);

/** Replaces every `records` buffer with a real batch, in place. */
function withRealRecords(value: unknown): void {
  if (Array.isArray(value)) value.forEach(withRealRecords);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const struct = value as Record<string, unknown>;
    for (const key of Object.keys(struct)) {
      if (key === 'records') struct[key] = realBatch;
      else withRealRecords(struct[key]);
    }
  }
}

function uuidAsHex(value: string): string {
  const hex = Buffer.from(value, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sameLeaf(ours: unknown, theirs: unknown): boolean {
  if (typeof theirs === 'bigint') theirs = Number(theirs);
  if (Buffer.isBuffer(ours)) return !Buffer.isBuffer(theirs) || ours.equals(theirs); // not a Buffer: parsed further
  if (typeof ours === 'string' && typeof theirs === 'string' && theirs.length === 36) return uuidAsHex(ours) === theirs;
  return ours === theirs;
}

/**
 * Compares, field by field of the plan at this version (fields absent from the version are each side's own
 * business), the values both sides name alike. Returns how many values were compared.
 */
function compareShared(plan: StructPlan, ours: Record<string, unknown>, theirs: Record<string, unknown>, path: string, out: string[]): number {
  let compared = 0;
  for (const field of plan.fields) {
    if (field.placement === Placement.ABSENT || !(field.name in theirs)) continue;
    const [mine, other, where] = [ours[field.name], theirs[field.name], `${path}.${field.name}`];
    if (field.struct === null || mine === null || other === null) {
      const same =
        field.array && mine !== null && other !== null
          ? (mine as unknown[]).every((item, i) => sameLeaf(item, (other as unknown[])[i]))
          : sameLeaf(mine, other);
      if (!same) out.push(`${where}: ours ${String(mine)}, theirs ${String(other)}`);
      compared++;
    } else if (field.array) {
      (mine as Record<string, unknown>[]).forEach((item, i) => {
        compared += compareShared(field.struct!, item, (other as Record<string, unknown>[])[i]!, `${where}.${i}`, out);
      });
    } else {
      compared += compareShared(field.struct, mine as Record<string, unknown>, other as Record<string, unknown>, where, out);
    }
  }
  return compared;
}

/** Where the client moved fields to: its FindCoordinator v0 parser reports the coordinator as coordinators[0]. */
function reshaped(apiName: string, version: number, theirs: Record<string, unknown>): Record<string, unknown> {
  if (apiName === 'FindCoordinator' && version === 0) return (theirs['coordinators'] as Record<string, unknown>[])[0]!;
  return theirs;
}

/** Their parse result; responses with per-record errors come back inside the error they throw. */
function parse(parser: ParserModule, key: number, version: number, reader: unknown): Record<string, unknown> {
  try {
    return parser.parseResponse(9, key, version, reader) as Record<string, unknown>;
  } catch (error) {
    const response = (error as { response?: Record<string, unknown> }).response;
    if (response === undefined) throw error;
    return response;
  }
}

describe.each(cases)('$api.name v$version read by @platformatic/kafka', ({ api, version }) => {
  it('consumes exactly our body and agrees on the values', () => {
    const key = api.apiKey as ApiKey;
    const sample = sampleMessage(api.response, version, 'full', { zeroErrorCodes: true });
    withRealRecords(sample);
    const frame = encodeResponse(key, version, 9, sample as never);
    const headerBytes = 4 + (responseHeaderVersion(api, version) === 1 ? 1 : 0);
    const body = frame.subarray(4 + headerBytes);
    const reader = platformatic.Reader.from(Buffer.from(body));
    const parser = platformatic[moduleName(api.name, version)] as ParserModule;
    const theirs = reshaped(api.name, version, parse(parser, key, version, reader));
    expect(reader.position).toBe(body.length);
    const ours = decodeResponse(key, version, frame.subarray(4)).body as Record<string, unknown>;
    const mismatches: string[] = [];
    const compared = compareShared(planOf(api.response, version), ours, theirs, api.name, mismatches);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(0);
  });
});

/** A request body written by @platformatic/kafka's own encoder, behind a header v1 our decoder reads. */
function theirRequest(apiKey: number, version: number, body: { buffer: Buffer }): Buffer {
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(77, 4);
  header.writeInt16BE(-1, 8);
  return Buffer.concat([header, body.buffer]);
}

type Encoder = { createRequest(...args: unknown[]): { buffer: Buffer } };
const encoder = (name: string) => platformatic[name] as Encoder;

describe('the oldest request versions, as @platformatic/kafka writes them', () => {
  it('OffsetCommit v1: generation, member, and a commit timestamp between the offset and the metadata', () => {
    const body = encoder('offsetCommitV1').createRequest('g', 3, 'member-1', null, [
      { name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 5n, committedMetadata: 'meta' }] },
    ]);
    const decoded = decodeRequest(theirRequest(8, 1, body));
    expect(decoded.body).toEqual({
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'member-1',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'meta' }] },
      ],
    });
  });

  it('ListOffsets v0: each partition asks for maxNumOffsets offsets', () => {
    const body = encoder('listOffsetsV0').createRequest(-1, 0, [{ name: 'orders', partitions: [{ partitionIndex: 2, timestamp: -1n }] }]);
    const decoded = decodeRequest(theirRequest(2, 0, body));
    expect(decoded.body).toMatchObject({ replicaId: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, timestamp: -1, maxNumOffsets: 1 }] }] });
  });

  it('Metadata v0: a plain topic list (empty = every topic)', () => {
    const body = encoder('metadataV0').createRequest([]);
    expect(decodeRequest(theirRequest(3, 0, body)).body).toMatchObject({ topics: [], allowAutoTopicCreation: true });
  });
});
