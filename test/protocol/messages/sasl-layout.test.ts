// Exact bytes of SaslHandshake (v0–1) and SaslAuthenticate (v0–2) frames, written out from Kafka's schemas:
// the versions real clients were not captured sending (golden/ holds KafkaJS's and @platformatic/kafka's v1 and
// v2 requests), the answers a broker gives, and a SaslAuthenticate error with its message.
import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from '../../../src/protocol/api-registry.js';
import { hex } from '../helpers/bytes.js';

/** A frame's hex, one argument per field. */
const wire = (...fields: string[]): string => fields.join('');
/** Request header v1: int16 key | int16 version | int32 correlation id 1 | int16 client id 'c'. */
const header = (key: string, version: string): string => wire(key, version, '00000001', '000163');

describe('SaslHandshake', () => {
  it.each(['0000', '0001'])('request v%s: the mechanism as an int16 string', (version) => {
    const frame = encodeRequest(17, Number(version), 1, 'c', { mechanism: 'PLAIN' });
    expect(hex(frame)).toBe(wire('00000012', header('0011', version), '0005504c41494e'));
    expect(decodeRequest(frame.subarray(4)).body).toEqual({ mechanism: 'PLAIN' });
  });

  it.each([0, 1])('response v%i: error code and the enabled mechanisms (UNSUPPORTED_SASL_MECHANISM = 33)', (version) => {
    const frame = encodeResponse(17, version, 1, { errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] });
    expect(hex(frame)).toBe(wire('00000020', '00000001', '0021', '00000002', '0005504c41494e', '000d', hex(Buffer.from('SCRAM-SHA-256'))));
    expect(decodeResponse(17, version, frame.subarray(4)).body).toEqual({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] });
  });
});

describe('SaslAuthenticate', () => {
  it.each(['0000', '0001'])('request v%s: int32-sized auth bytes', (version) => {
    const frame = encodeRequest(36, Number(version), 1, 'c', { authBytes: Buffer.from('abc') });
    expect(hex(frame)).toBe(wire('00000012', header('0024', version), '00000003616263'));
  });

  it('request v2: header v2 (tagged section), compact bytes, tagged section', () => {
    const frame = encodeRequest(36, 2, 1, 'c', { authBytes: Buffer.from('abc') });
    expect(hex(frame)).toBe(wire('00000011', header('0024', '0002'), '00', '04616263', '00'));
    expect(decodeRequest(frame.subarray(4)).body).toEqual({ authBytes: Buffer.from('abc') });
  });

  it('response v0: error code, null message, auth bytes', () => {
    const frame = encodeResponse(36, 0, 1, { errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok') });
    expect(hex(frame)).toBe(wire('0000000e', '00000001', '0000', 'ffff', '000000026f6b'));
  });

  it('response v1 adds the int64 session lifetime', () => {
    const frame = encodeResponse(36, 1, 1, { errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok'), sessionLifetimeMs: 3_600_000 });
    expect(hex(frame)).toBe(wire('00000016', '00000001', '0000', 'ffff', '000000026f6b', '000000000036ee80'));
  });

  it('response v2: header v1, compact fields; SASL_AUTHENTICATION_FAILED (58) with its message', () => {
    const frame = encodeResponse(36, 2, 1, { errorCode: 58, errorMessage: 'bad', authBytes: Buffer.alloc(0) });
    expect(hex(frame)).toBe(wire('00000015', '00000001', '00', '003a', '04626164', '01', '0000000000000000', '00'));
    expect(decodeResponse(36, 2, frame.subarray(4)).body).toEqual({ errorCode: 58, errorMessage: 'bad', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
  });
});
