// Fuzzing decodeRequest (fast-check, seed printed, bounded runs): random bytes, random bodies behind valid
// headers, and mutated valid frames either decode or throw ProtocolError — never another exception, never a
// hang. What decodes must survive encode → decode unchanged. Reproduce with FJORD_SEED=<seed>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apis, decodeRequest, encodeRequest, type ApiKey } from '../../src/protocol/api-registry.js';
import { ProtocolError } from '../../src/protocol/codec/protocol-error.js';
import { sampleMessage } from './helpers/samples.js';
import { seedFor } from '../helpers/test-seed.js';

const seed = seedFor('protocol fuzz');

const versions = apis.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })));

const validFrames = versions.flatMap(({ api, version }) =>
  (['full', 'thin'] as const).map((variant) => {
    const body = sampleMessage(api.request, version, variant);
    return encodeRequest(api.apiKey as ApiKey, version, 1, 'fuzz', body as never).subarray(4);
  }),
);

/** Decodes, or accepts a ProtocolError; anything else fails the property. Decoded requests must round-trip. */
function decodesOrRefuses(frame: Buffer): void {
  let decoded: ReturnType<typeof decodeRequest>;
  try {
    decoded = decodeRequest(frame);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return;
  }
  const { apiKey, apiVersion, correlationId, clientId } = decoded.header;
  let again: Buffer;
  try {
    again = encodeRequest(apiKey as ApiKey, apiVersion, correlationId, clientId, decoded.body as never);
  } catch (error) {
    // A decoded string full of invalid UTF-8 can grow past the string limit once re-encoded.
    if (error instanceof ProtocolError && error.kind === 'invalid-value') return;
    throw error;
  }
  expect(decodeRequest(again.subarray(4)).body).toEqual(decoded.body);
}

const header = (apiKey: number, version: number): Buffer => {
  const buf = Buffer.alloc(10);
  buf.writeInt16BE(apiKey, 0);
  buf.writeInt16BE(version, 2);
  buf.writeInt32BE(7, 4);
  buf.writeInt16BE(0, 8);
  return buf;
};

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'remove'; at: number; count: number };

const interestingByte = fc.oneof(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff), fc.integer({ min: 0, max: 255 }));
const position = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: position, byte: interestingByte }),
  fc.record({ kind: fc.constant('cut' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('remove' as const), at: position, count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(frame: Buffer, mutations: Mutation[]): Buffer {
  let out = Buffer.from(frame);
  for (const m of mutations) {
    if (out.length === 0) break;
    const at = m.at % out.length;
    if (m.kind === 'set') out[at] = m.byte;
    else if (m.kind === 'cut') out = out.subarray(0, at);
    else if (m.kind === 'insert') out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + m.count)]);
  }
  return out;
}

describe('decodeRequest under fuzzing', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => decodesOrRefuses(Buffer.from(bytes))),
      { seed, numRuns: 3000 },
    );
  }, 10_000);

  it('random bodies behind a valid header of every API and version', () => {
    fc.assert(
      fc.property(fc.constantFrom(...versions), fc.uint8Array({ maxLength: 200 }), ({ api, version }, body) => {
        decodesOrRefuses(Buffer.concat([header(api.apiKey, version), body]));
      }),
      { seed, numRuns: 5000 },
    );
  }, 10_000);

  it('mutated valid frames', () => {
    fc.assert(
      fc.property(fc.constantFrom(...validFrames), fc.array(mutation, { minLength: 1, maxLength: 4 }), (frame, mutations) => {
        decodesOrRefuses(mutate(frame, mutations));
      }),
      { seed, numRuns: 10_000 },
    );
  }, 10_000);
});
