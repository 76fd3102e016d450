// The one table of Kafka APIs Fjord serves: which handler answers each API key and which versions are
// advertised. ApiVersions is computed from it. Runs on the main thread.
import type { ApiHandler } from './api-handler.js';
import type { ApiKey } from '../protocol/api-registry.js';
import { apiByKey } from '../protocol/api-registry.js';
import { apiVersionsHandler } from './handlers/api-versions.js';
import { fetchHandler } from './handlers/fetch.js';
import { findCoordinatorHandler } from './handlers/group-coordinator-stubs.js';
import { initProducerIdHandler } from './handlers/init-producer-id.js';
import { listOffsetsHandler } from './handlers/list-offsets.js';
import { metadataHandler } from './handlers/metadata.js';
import { produceHandler } from './handlers/produce.js';

type AnyHandler = ApiHandler<ApiKey>;

const handlers: AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  findCoordinatorHandler,
  apiVersionsHandler,
  initProducerIdHandler,
] as unknown as AnyHandler[];

const byKey: Array<AnyHandler | undefined> = [];
for (const handler of handlers) {
  const codec = apiByKey(handler.apiKey);
  if (codec === undefined || handler.minVersion < codec.minVersion || handler.maxVersion > codec.maxVersion) {
    throw new Error(`handler for API ${handler.apiKey} advertises v${handler.minVersion}-${handler.maxVersion} beyond what the codec reads`);
  }
  if (byKey[handler.apiKey] !== undefined) throw new Error(`two handlers for API ${handler.apiKey}`);
  byKey[handler.apiKey] = handler;
}

export function handlerFor(apiKey: number): AnyHandler | undefined {
  return byKey[apiKey];
}

/** What ApiVersions advertises: exactly the handled APIs and versions, in key order. */
export function advertisedVersions(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
  return handlers.map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort((a, b) => a.apiKey - b.apiKey);
}
