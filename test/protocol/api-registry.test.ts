// Tests of the registry and the network layer's entry points: the API/version table, the header-version rule
// (ApiVersions responses always header v0), exact frame bytes, unknown keys and unsupported versions (with the
// header still readable, KIP-511 style), leftover bytes, and every truncated prefix of every sample frame.
import { describe, expect, it } from 'vitest';
import {
  apiByKey,
  apis,
  decodeRequest,
  encodeRequest,
  encodeResponse,
  supportedVersions,
  UnsupportedRequestError,
  type ApiKey,
} from '../../src/protocol/api-registry.js';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/messages/headers.js';
import { sampleMessage } from './helpers/samples.js';

import { bytesOf, hex, thrown } from './helpers/bytes.js';

describe('the registry', () => {
  it('holds the APIs and version ranges the codec is built for', () => {
    const table = Object.fromEntries(apis.map((api) => [api.name, `${api.apiKey}:${api.minVersion}-${api.maxVersion}`]));
    expect(table).toEqual({
      Produce: '0:0-11',
      Fetch: '1:0-17',
      ListOffsets: '2:0-10',
      Metadata: '3:0-12',
      OffsetCommit: '8:0-9',
      OffsetFetch: '9:0-9',
      FindCoordinator: '10:0-6',
      JoinGroup: '11:0-9',
      Heartbeat: '12:0-4',
      LeaveGroup: '13:0-5',
      SyncGroup: '14:0-5',
      DescribeGroups: '15:0-5',
      ListGroups: '16:0-5',
      SaslHandshake: '17:0-1',
      ApiVersions: '18:0-4',
      CreateTopics: '19:0-7',
      DeleteTopics: '20:0-6',
      DeleteRecords: '21:0-2',
      InitProducerId: '22:0-5',
      OffsetForLeaderEpoch: '23:0-4',
      DescribeAcls: '29:0-3',
      CreateAcls: '30:0-3',
      DeleteAcls: '31:0-3',
      DescribeConfigs: '32:0-4',
      AlterConfigs: '33:0-2',
      AlterReplicaLogDirs: '34:0-2',
      DescribeLogDirs: '35:0-4',
      SaslAuthenticate: '36:0-2',
      CreatePartitions: '37:0-3',
      DeleteGroups: '42:0-2',
      ElectLeaders: '43:0-2',
      IncrementalAlterConfigs: '44:0-1',
      AlterPartitionReassignments: '45:0-0',
      ListPartitionReassignments: '46:0-0',
      OffsetDelete: '47:0-0',
      DescribeUserScramCredentials: '50:0-0',
      AlterUserScramCredentials: '51:0-0',
      DescribeCluster: '60:0-1',
    });
    expect(supportedVersions()).toContainEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 });
    expect(apiByKey(4)).toBeUndefined();
  });

  it('header versions follow the flexible versions; ApiVersions responses always use v0', () => {
    const produce = apiByKey(0)!;
    expect([requestHeaderVersion(produce, 8), requestHeaderVersion(produce, 9)]).toEqual([1, 2]);
    expect([responseHeaderVersion(produce, 8), responseHeaderVersion(produce, 9)]).toEqual([0, 1]);
    const apiVersions = apiByKey(18)!;
    expect([requestHeaderVersion(apiVersions, 2), requestHeaderVersion(apiVersions, 3)]).toEqual([1, 2]);
    expect(responseHeaderVersion(apiVersions, 3)).toBe(0);
    const offsetDelete = apiByKey(47)!;
    expect([requestHeaderVersion(offsetDelete, 0), responseHeaderVersion(offsetDelete, 0)]).toEqual([1, 0]);
    expect(requestHeaderVersion(undefined, 99)).toBe(1);
    expect(responseHeaderVersion(apiByKey(60)!, 0)).toBe(1);
  });
});

describe('exact frame bytes', () => {
  it('ApiVersions v3 response: header v0 (no tagged section) and a flexible body', () => {
    const frame = encodeResponse(18, 3, 7, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }] });
    expect(hex(frame)).toBe('00000013' + '00000007' + '0000' + '02' + '0000' + '0000' + '0009' + '00' + '00000000' + '00');
  });

  it('Metadata v9 response: header v1 ends with an empty tagged section', () => {
    const frame = encodeResponse(3, 9, 1, { clusterId: null });
    // throttle | brokers [] | clusterId null | controllerId -1 | topics [] | clusterAuthorizedOperations | tags
    expect(hex(frame)).toBe('00000015' + '00000001' + '00' + '00000000' + '01' + '00' + 'ffffffff' + '01' + '80000000' + '00');
  });

  it('Metadata v1 request: header v1 with an int16 client id; null topics = all', () => {
    const frame = encodeRequest(3, 1, 42, 'c', { topics: null });
    expect(hex(frame)).toBe('0000000f' + '0003' + '0001' + '0000002a' + '000163' + 'ffffffff');
  });

  it('ApiVersions v3 request: header v2 keeps the int16 client id, then a tagged section', () => {
    const frame = encodeRequest(18, 3, 1, 'c', { clientSoftwareName: 'n', clientSoftwareVersion: '1' });
    expect(hex(frame)).toBe('00000011' + '0012' + '0003' + '00000001' + '000163' + '00' + '026e' + '0231' + '00');
    expect(decodeRequest(frame.subarray(4)).body).toEqual({ clientSoftwareName: 'n', clientSoftwareVersion: '1' });
  });
});

describe('requests the broker cannot serve', () => {
  it('an unknown API key: the header is still read', () => {
    const error = thrown(() => decodeRequest(bytesOf('0004 0001 00000009 0002 6869 0000')));
    expect(error).toBeInstanceOf(UnsupportedRequestError);
    expect(error.kind).toBe('unknown-api-key');
    expect((error as UnsupportedRequestError).header).toEqual({ apiKey: 4, apiVersion: 1, correlationId: 9, clientId: 'hi' });
  });

  it('a version above the range: unsupported-version with the correlation id', () => {
    const produceV12 = bytesOf('0000 000c 0000000b ffff 00 00 ffff 000003e8 01 00');
    const error = thrown(() => decodeRequest(produceV12)) as UnsupportedRequestError;
    expect(error.kind).toBe('unsupported-version');
    expect(error.header).toEqual({ apiKey: 0, apiVersion: 12, correlationId: 11, clientId: '' });
    expect(error.message).toMatch(/Produce v12 is not supported \(v0-11\)/);
    const fetchV18 = bytesOf('0001 0012 00000001 ffff 00');
    expect(thrown(() => decodeRequest(fetchV18)).kind).toBe('unsupported-version');
  });

  it('ApiVersions at a newer version (KIP-511): header read, body ignored, answered with a v0 body', () => {
    const request = bytesOf('0012 0005 00000005 0003 636c69 00' + '0f 6e65772d636c69656e742d7631 02 31 00');
    const error = thrown(() => decodeRequest(request)) as UnsupportedRequestError;
    expect(error.kind).toBe('unsupported-version');
    expect(error.header.correlationId).toBe(5);
    const answer = encodeResponse(18, 0, error.header.correlationId, {
      errorCode: 35,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
    });
    expect(hex(answer)).toBe('00000010' + '00000005' + '0023' + '00000001' + '0012' + '0000' + '0004');
  });

  it('bytes left after the body are malformed', () => {
    const frame = encodeRequest(12, 0, 1, 'c', { groupId: 'g', generationId: 1, memberId: 'm' });
    const padded = Buffer.concat([frame.subarray(4), Buffer.from([0])]);
    const error = thrown(() => decodeRequest(padded));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/1 bytes left after the body/);
  });

  it('a null client id reads as the empty string', () => {
    const frame = encodeRequest(12, 0, 1, null, { groupId: 'g', generationId: 1, memberId: 'm' });
    expect(decodeRequest(frame.subarray(4)).header.clientId).toBe('');
  });

  it('body errors are malformed and say where', () => {
    const frame = encodeRequest(0, 9, 1, 'c', { topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(8) }] }] });
    const cut = frame.subarray(4, frame.length - 6); // 3 tagged sections, then into the records
    const error = thrown(() => decodeRequest(cut));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/^ProduceRequest v9 at topicData\.0\.partitionData\.0\.records: truncated/);
  });

  it('encoding for an unknown key or a version outside the range is refused', () => {
    expect(thrown(() => encodeResponse(4 as ApiKey, 0, 1, {})).kind).toBe('invalid-value');
    expect(thrown(() => encodeResponse(0, 12, 1, {})).kind).toBe('invalid-value');
  });
});

describe('every truncated prefix of every sample request frame is malformed', () => {
  const cases = apis.flatMap((api) => Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => ({ api, version: api.minVersion + i })));
  it.each(cases)('$api.name v$version', ({ api, version }) => {
    const body = sampleMessage(api.request, version, 'full');
    const frame = encodeRequest(api.apiKey as ApiKey, version, 3, 'fjord', body as never).subarray(4);
    expect(() => decodeRequest(frame)).not.toThrow();
    for (let cut = 0; cut < frame.length; cut++) {
      expect(thrown(() => decodeRequest(frame.subarray(0, cut))).kind).toBe('malformed');
    }
  });
});
