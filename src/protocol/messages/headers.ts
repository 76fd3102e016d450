// Request and response headers, and the rule picking their version from the API's flexible versions.
// Runs on the main thread. Layouts (big-endian; the network layer owns the int32 size prefix before them):
//
//   request header v1:  int16 requestApiKey | int16 requestApiVersion | int32 correlationId
//                       | clientId: int16 length N (−1 = null) + N UTF-8 bytes — never compact, so that any
//                         broker can read the header of an ApiVersions request of any version
//   request header v2:  v1 + tagged-field section (at least the single byte 00)
//   response header v0: int32 correlationId
//   response header v1: int32 correlationId + tagged-field section
//
// Header v2 / v1 go with flexible API versions; ApiVersions responses always use response header v0 (KIP-511).
// (Request header v0, without clientId, is only used by ControlledShutdown v0, which Fjord does not serve.)
import { message } from '../schema/types.js';
import { apiVersionsApi } from './api-versions.js';

export const requestHeader = message('RequestHeader', '2+', [
  { name: 'requestApiKey', type: 'int16', versions: '0+' },
  { name: 'requestApiVersion', type: 'int16', versions: '0+' },
  { name: 'correlationId', type: 'int32', versions: '0+' },
  { name: 'clientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' },
]);

export const responseHeader = message('ResponseHeader', '1+', [{ name: 'correlationId', type: 'int32', versions: '0+' }]);

/** What the header version depends on: the API's first flexible version (null = never flexible). */
interface HeaderRuleInput {
  readonly apiKey: number;
  readonly flexibleFrom: number | null;
}

function isFlexible(api: HeaderRuleInput, apiVersion: number): boolean {
  return api.flexibleFrom !== null && apiVersion >= api.flexibleFrom;
}

/** v2 for flexible versions, else v1. An unknown API (undefined) is read with v1, enough to answer it. */
export function requestHeaderVersion(api: HeaderRuleInput | undefined, apiVersion: number): 1 | 2 {
  return api !== undefined && isFlexible(api, apiVersion) ? 2 : 1;
}

/** v1 for flexible versions, else v0; ApiVersions responses are always v0. */
export function responseHeaderVersion(api: HeaderRuleInput, apiVersion: number): 0 | 1 {
  if (api.apiKey === apiVersionsApi.apiKey) return 0;
  return isFlexible(api, apiVersion) ? 1 : 0;
}
