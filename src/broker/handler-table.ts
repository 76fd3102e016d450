// The one table of Kafka APIs Fjord serves: which handler answers each API key and which versions are
// advertised. ApiVersions is computed from it. Runs on the main thread.
import type { ApiHandler } from './api-handler.js';
import type { ApiKey } from '../protocol/api-registry.js';
import { apiByKey } from '../protocol/api-registry.js';
import { alterConfigsHandler } from './handlers/alter-configs.js';
import { alterReplicaLogDirsHandler } from './handlers/alter-replica-log-dirs.js';
import { type AdvertisedApi, apiVersionsHandlerFor } from './handlers/api-versions.js';
import { createAclsHandler } from './handlers/create-acls.js';
import { createPartitionsHandler } from './handlers/create-partitions.js';
import { deleteAclsHandler } from './handlers/delete-acls.js';
import { describeAclsHandler } from './handlers/describe-acls.js';
import { alterPartitionReassignmentsHandler } from './handlers/alter-partition-reassignments.js';
import { createTopicsHandler } from './handlers/create-topics.js';
import { listPartitionReassignmentsHandler } from './handlers/list-partition-reassignments.js';
import { deleteRecordsHandler } from './handlers/delete-records.js';
import { deleteTopicsHandler } from './handlers/delete-topics.js';
import { describeClusterHandler } from './handlers/describe-cluster.js';
import { describeUserScramCredentialsHandler } from './handlers/describe-user-scram-credentials.js';
import { alterUserScramCredentialsHandler } from './handlers/alter-user-scram-credentials.js';
import { describeConfigsHandler } from './handlers/describe-configs.js';
import { describeLogDirsHandler } from './handlers/describe-log-dirs.js';
import { electLeadersHandler } from './handlers/elect-leaders.js';
import { fetchHandler } from './handlers/fetch.js';
import { deleteGroupsHandler } from './handlers/groups/delete-groups.js';
import { describeGroupsHandler } from './handlers/groups/describe-groups.js';
import { findCoordinatorHandler } from './handlers/groups/find-coordinator.js';
import { heartbeatHandler } from './handlers/groups/heartbeat.js';
import { joinGroupHandler } from './handlers/groups/join-group.js';
import { leaveGroupHandler } from './handlers/groups/leave-group.js';
import { listGroupsHandler } from './handlers/groups/list-groups.js';
import { offsetCommitHandler } from './handlers/groups/offset-commit.js';
import { offsetDeleteHandler } from './handlers/groups/offset-delete.js';
import { offsetFetchHandler } from './handlers/groups/offset-fetch.js';
import { syncGroupHandler } from './handlers/groups/sync-group.js';
import { incrementalAlterConfigsHandler } from './handlers/incremental-alter-configs.js';
import { initProducerIdHandler } from './handlers/init-producer-id.js';
import { listOffsetsHandler } from './handlers/list-offsets.js';
import { metadataHandler } from './handlers/metadata.js';
import { offsetForLeaderEpochHandler } from './handlers/offset-for-leader-epoch.js';
import { produceHandler } from './handlers/produce.js';
import { saslAuthenticateHandler } from './handlers/sasl-authenticate.js';
import { saslHandshakeHandler } from './handlers/sasl-handshake.js';

type AnyHandler = ApiHandler<ApiKey>;

const handlers: AnyHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  saslHandshakeHandler,
  apiVersionsHandlerFor(advertisedVersions),
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  saslAuthenticateHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  alterReplicaLogDirsHandler,
  describeLogDirsHandler,
  createPartitionsHandler,
  deleteGroupsHandler,
  electLeadersHandler,
  incrementalAlterConfigsHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  offsetDeleteHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
  describeClusterHandler,
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
export function advertisedVersions(): AdvertisedApi[] {
  return handlers.map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort((a, b) => a.apiKey - b.apiKey);
}
