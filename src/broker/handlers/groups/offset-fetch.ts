// OffsetFetch: a group's committed offsets for the partitions asked (or all it has, when topics is null),
// -1 where nothing is committed; v8 asks for several groups at once. v0 reads the same committed offsets as
// v1+ (Fjord keeps one store; v0 commits land in it). v9's member id and epoch belong to KIP-848 consumer
// groups; for classic groups Kafka 3.9 ignores them, and so does Fjord. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import type { CommittedOffset, OffsetFetchResult } from '../../../shared/group-protocol.js';
import { defineHandler } from '../../api-handler.js';
import type { BrokerContext } from '../../broker-context.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';
import { byTopic, flattenPartitions } from './group-partitions.js';

type TopicsAsked = ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }> | null;

const MULTI_GROUP_SINCE = 8;

export const offsetFetchHandler = defineHandler({
  apiKey: 9,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, { header, body }) {
    if (header.apiVersion >= MULTI_GROUP_SINCE) {
      const groups = await Promise.all(
        body.groups.map(async (g) => {
          const result = await fetchGroup(ctx, g.groupId, g.topics);
          return { groupId: g.groupId, errorCode: result.errorCode, topics: topicsOf(result.offsets) };
        }),
      );
      return { throttleTimeMs: 0, topics: [], errorCode: ErrorCode.NONE, groups };
    }
    const result = await fetchGroup(ctx, body.groupId, body.topics);
    return { throttleTimeMs: 0, topics: topicsOf(result.offsets), errorCode: result.errorCode, groups: [] };
  },
});

async function fetchGroup(ctx: BrokerContext, groupId: string, topics: TopicsAsked): Promise<OffsetFetchResult> {
  const partitions =
    topics === null
      ? null
      : flattenPartitions(
          topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })),
          (p) => p,
        );
  const failed = (errorCode: number): OffsetFetchResult => ({
    errorCode,
    offsets: (partitions ?? []).map((p) => ({ ...p, offset: -1, leaderEpoch: -1, metadata: '', errorCode })),
  });
  if (isInvalidGroupId(groupId)) return failed(ErrorCode.INVALID_GROUP_ID);
  const outcome = await callCoordinator(ctx, groupId, 'fetchOffsets', { groupId, partitions });
  return outcome.ok ? outcome.value : failed(outcome.errorCode);
}

function topicsOf(offsets: readonly CommittedOffset[]) {
  return byTopic(offsets, (o) => ({
    partitionIndex: o.partition,
    committedOffset: o.offset,
    committedLeaderEpoch: o.leaderEpoch,
    metadata: o.metadata,
    errorCode: o.errorCode,
  }));
}
