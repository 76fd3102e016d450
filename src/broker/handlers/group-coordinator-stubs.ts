// Group APIs until the group coordinator exists (issue "Consumer groups" replaces this file): advertised at the
// versions clients need (librdkafka needs FindCoordinator from v0) and answered COORDINATOR_NOT_AVAILABLE in
// each API's own shape (top level, per group or per partition), so clients back off cleanly. Main thread.
import type { ApiKey } from '../../protocol/api-registry.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { type ApiHandler, defineHandler, type HandlerResult, type RequestOfKey } from '../api-handler.js';
import { answerPartitions } from './admin-results.js';

const UNAVAILABLE = ErrorCode.COORDINATOR_NOT_AVAILABLE;
const NO_OFFSET = -1;
const EMPTY = Buffer.alloc(0);

/** A handler for one API that answers every request with `answer(request)`. */
function unavailable<K extends ApiKey>(
  apiKey: K,
  minVersion: number,
  maxVersion: number,
  answer: (request: RequestOfKey<K>) => HandlerResult<K> | Promise<HandlerResult<K>>,
): ApiHandler<K> {
  return defineHandler({ apiKey, minVersion, maxVersion, handle: (_ctx, request) => answer(request) });
}

export const findCoordinatorHandler = unavailable(10, 0, 2, () => ({
  throttleTimeMs: 0,
  errorCode: UNAVAILABLE,
  errorMessage: 'consumer groups are not served yet',
  nodeId: -1,
  host: '',
  port: -1,
}));

export const offsetCommitHandler = unavailable(8, 2, 5, async ({ body }) => ({
  throttleTimeMs: 0,
  topics: await answerPartitions(body.topics, (_topic, p) => ({ partitionIndex: p.partitionIndex, errorCode: UNAVAILABLE })),
}));

/** v1 has only per-partition errors; v2+ also the top-level one. */
export const offsetFetchHandler = unavailable(9, 1, 4, async ({ body }) => ({
  throttleTimeMs: 0,
  errorCode: UNAVAILABLE,
  topics: await answerPartitions((body.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes })), (_topic, partitionIndex) => ({
    partitionIndex,
    committedOffset: NO_OFFSET,
    metadata: '',
    errorCode: UNAVAILABLE,
  })),
}));

export const joinGroupHandler = unavailable(11, 0, 5, ({ body }) => ({
  throttleTimeMs: 0,
  errorCode: UNAVAILABLE,
  generationId: -1,
  protocolName: '',
  leader: '',
  memberId: body.memberId,
  members: [],
}));

export const heartbeatHandler = unavailable(12, 0, 3, () => ({ throttleTimeMs: 0, errorCode: UNAVAILABLE }));

export const leaveGroupHandler = unavailable(13, 0, 3, () => ({ throttleTimeMs: 0, errorCode: UNAVAILABLE, members: [] }));

export const syncGroupHandler = unavailable(14, 0, 3, () => ({ throttleTimeMs: 0, errorCode: UNAVAILABLE, assignment: EMPTY }));

export const describeGroupsHandler = unavailable(15, 0, 2, ({ body }) => ({
  throttleTimeMs: 0,
  groups: body.groups.map((groupId) => ({ errorCode: UNAVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
}));

export const listGroupsHandler = unavailable(16, 0, 2, () => ({ throttleTimeMs: 0, errorCode: UNAVAILABLE, groups: [] }));

export const deleteGroupsHandler = unavailable(42, 0, 1, ({ body }) => ({
  throttleTimeMs: 0,
  results: body.groupsNames.map((groupId) => ({ groupId, errorCode: UNAVAILABLE })),
}));

