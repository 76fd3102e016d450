// OffsetCommit: a member of the current generation (or, for an empty group, an admin tool with
// generation -1) stores offsets; each is acknowledged once its record is written to __consumer_offsets.
// Partitions that do not exist answer UNKNOWN_TOPIC_OR_PARTITION. v0 has no generation or member: it is a
// commit from outside the group (Kafka's coordinator takes it while the group is empty; a ZooKeeper-mode
// Kafka wrote it to ZooKeeper and a KRaft one refuses it), readable by every OffsetFetch version. v1's
// per-partition commit timestamp is stored as the commit time. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import type { PartitionError } from '../../../shared/group-protocol.js';
import { defineHandler } from '../../api-handler.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';
import { byTopic, partitionExists } from './group-partitions.js';

export const offsetCommitHandler = defineHandler({
  apiKey: 8,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, { body }) {
    const offsets = body.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.committedMetadata,
        commitTimestamp: p.commitTimestamp,
      })),
    );
    const respond = (results: PartitionError[]) => ({
      throttleTimeMs: 0,
      topics: byTopic(results, (r) => ({ partitionIndex: r.partition, errorCode: r.errorCode })),
    });
    if (isInvalidGroupId(body.groupId)) return respond(offsets.map((o) => ({ ...o, errorCode: ErrorCode.INVALID_GROUP_ID })));
    const known = offsets.filter((o) => partitionExists(ctx, o));
    const errors = new Map<(typeof offsets)[number], number>(offsets.filter((o) => !known.includes(o)).map((o) => [o, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]));
    if (known.length > 0) {
      const outcome = await callCoordinator(ctx, body.groupId, 'commit', {
        groupId: body.groupId,
        generationId: body.generationIdOrMemberEpoch,
        memberId: body.memberId,
        groupInstanceId: body.groupInstanceId,
        offsets: known,
      });
      known.forEach((o, i) => {
        errors.set(o, outcome.ok ? outcome.value[i]!.errorCode : outcome.errorCode);
      });
    }
    return respond(offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode: errors.get(o)! })));
  },
});
