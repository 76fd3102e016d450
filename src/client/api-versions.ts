// ApiVersions negotiation (KIP-511): ask the broker which versions of each API it serves and keep, per API,
// the range both sides speak; requests then go out at the highest common version. Runs on the caller's
// main thread.
import { apis, decodeResponse } from '../protocol/api-registry.js';
import { ProtocolError } from '../protocol/codec/protocol-error.js';
import { apiVersionsApi } from '../protocol/messages/api-versions.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';
import { checkErrorCode } from './kafka-errors.js';
import type { KafkaConnection } from './kafka-connection.js';

export interface VersionRange {
  min: number;
  max: number;
}

/** apiKey → the broker's advertised range. */
export type BrokerVersions = Map<number, VersionRange>;

const API_VERSIONS_KEY = apiVersionsApi.apiKey;
const CLIENT_SOFTWARE = { clientSoftwareName: 'fjord-cli', clientSoftwareVersion: '0.1.0' };

/** The versions both this client (the codec registry) and the broker speak, or null when none. */
export function commonRange(apiKey: number, broker: BrokerVersions): VersionRange | null {
  const ours = apis.find((api) => api.apiKey === apiKey);
  const theirs = broker.get(apiKey);
  if (ours === undefined || theirs === undefined) return null;
  const range = { min: Math.max(ours.minVersion, theirs.min), max: Math.min(ours.maxVersion, theirs.max) };
  return range.min <= range.max ? range : null;
}

/**
 * Sends ApiVersions at the highest version this client speaks. A broker that does not serve it answers
 * UNSUPPORTED_VERSION in the v0 layout, listing its own ApiVersions range; then ask again at the highest
 * common version.
 */
export async function fetchBrokerVersions(connection: KafkaConnection, timeoutMs: number): Promise<BrokerVersions> {
  let version = apiVersionsApi.maxVersion;
  for (let attempt = 0; attempt < 2; attempt++) {
    const frame = await connection.request(connection.encode(API_VERSIONS_KEY, version, CLIENT_SOFTWARE), timeoutMs);
    const answer = decodeLeniently(frame, version);
    if (answer.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      const theirs = answer.apiKeys.find((k) => k.apiKey === API_VERSIONS_KEY);
      const next = Math.min(apiVersionsApi.maxVersion, theirs?.maxVersion ?? 0);
      if (theirs === undefined || next >= version) break;
      version = next;
      continue;
    }
    checkErrorCode(answer.errorCode, `ApiVersions from ${connection.address}`);
    return new Map(answer.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }
  throw new Error(`the broker at ${connection.address} refused every ApiVersions version fjord speaks`);
}

/** The answer at `version`, or its v0 form (what a broker sends back for a version it does not serve). */
function decodeLeniently(frame: Buffer, version: number) {
  try {
    return decodeResponse(API_VERSIONS_KEY, version, frame).body;
  } catch (error) {
    if (!(error instanceof ProtocolError) || version === 0) throw error;
    return decodeResponse(API_VERSIONS_KEY, 0, frame).body;
  }
}
