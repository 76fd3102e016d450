// For every API and every version in the registry: a representative request and response (every field the
// version has, tagged fields included) and a thin one (nulls, empty arrays) encode, decode to the same values
// (absent fields at their defaults), and re-encode to identical bytes — as bare bodies and as whole frames.
import { describe, expect, it } from 'vitest';
import { apis, decodeRequest, decodeResponse, encodeRequest, encodeResponse, type ApiKey } from '../../../src/protocol/api-registry.js';
import { decodeMessage } from '../../../src/protocol/schema/decode.js';
import { encodeMessage, sizeOfMessage } from '../../../src/protocol/schema/encode.js';
import type { MessageSchema } from '../../../src/protocol/schema/types.js';
import { expectedStruct, sampleMessage, type Variant } from '../helpers/samples.js';

const cases = apis.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })));

function roundTrip(schema: MessageSchema, version: number, variant: Variant): void {
  const sample = sampleMessage(schema, version, variant);
  const bytes = encodeMessage(schema, version, sample as never);
  expect(bytes.length).toBe(sizeOfMessage(schema, version, sample as never));
  const decoded = decodeMessage(schema, version, bytes);
  expect(decoded.bytesRead).toBe(bytes.length);
  expect(decoded.value).toEqual(expectedStruct(schema.fields, sample, version));
  const again = encodeMessage(schema, version, decoded.value as never);
  expect(again.toString('hex')).toBe(bytes.toString('hex'));
}

describe.each(cases)('$api.name v$version', ({ api, version }) => {
  it.each(['full', 'thin'] as const)('request round-trips (%s)', (variant) => {
    roundTrip(api.request, version, variant);
  });

  it.each(['full', 'thin'] as const)('response round-trips (%s)', (variant) => {
    roundTrip(api.response, version, variant);
  });

  it('whole frames: encodeRequest → decodeRequest, encodeResponse → decodeResponse', () => {
    const key = api.apiKey as ApiKey;
    const request = sampleMessage(api.request, version, 'full');
    const frame = encodeRequest(key, version, 0x01020304, 'fjord-test', request as never);
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded.header).toEqual({ apiKey: key, apiVersion: version, correlationId: 0x01020304, clientId: 'fjord-test' });
    expect(decoded.api).toBe(api);
    expect(decoded.body).toEqual(expectedStruct(api.request.fields, request, version));

    const response = sampleMessage(api.response, version, 'full');
    const out = encodeResponse(key, version, 77, response as never);
    expect(out.readInt32BE(0)).toBe(out.length - 4);
    const back = decodeResponse(key, version, out.subarray(4));
    expect(back.correlationId).toBe(77);
    expect(back.body).toEqual(expectedStruct(api.response.fields, response, version));
  });
});
