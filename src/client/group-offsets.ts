// A consumer group's committed offsets at its coordinator: read them (OffsetFetch, every version's shape)
// and commit them (OffsetCommit) as a member of a generation, or as an admin tool with generation -1 and no
// member id (accepted only while the group has no members). Runs on the caller's main thread.
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';
import { withRetries } from './retry.js';

/** topic → partition → offset. */
export type GroupOffsets = Map<string, Map<number, number>>;

export interface MemberGeneration {
  generationId: number;
  memberId: string;
}

/** Commits as an admin tool: no generation, no member. */
export const ADMIN_GENERATION: MemberGeneration = { generationId: -1, memberId: '' };

/** Committed offsets of `topics` (topic → partitions), or of every topic the group has offsets for (null). -1 = none. */
export async function fetchCommittedOffsets(client: KafkaClient, groupId: string, topics: Map<string, number[]> | null): Promise<GroupOffsets> {
  return withRetries(async () => {
    const coordinator = await client.coordinator(groupId);
    const wanted = topics === null ? null : [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    const { version, body } = await coordinator.call(
      9,
      { groupId, topics: wanted, groups: [{ groupId, topics: wanted }], requireStable: false },
      { minVersion: wanted === null ? 2 : 1 },
    );
    const group = version >= 8 ? body.groups[0] : { errorCode: body.errorCode, topics: body.topics };
    checkErrorCode(group?.errorCode ?? 0, `committed offsets of group "${groupId}"`);
    const offsets: GroupOffsets = new Map();
    for (const topic of group?.topics ?? []) {
      const partitions = new Map<number, number>();
      for (const p of topic.partitions) {
        checkErrorCode(p.errorCode, `committed offset of group "${groupId}" for ${topic.name}-${p.partitionIndex}`);
        partitions.set(p.partitionIndex, p.committedOffset);
      }
      offsets.set(topic.name, partitions);
    }
    return offsets;
  });
}

/** Commits `offsets` for the group; fails with the first partition's error (e.g. UNKNOWN_MEMBER_ID while members are live). */
export async function commitOffsets(client: KafkaClient, groupId: string, member: MemberGeneration, offsets: GroupOffsets): Promise<void> {
  const coordinator = await client.coordinator(groupId);
  const topics = [...offsets].map(([name, partitions]) => ({
    name,
    partitions: [...partitions].map(([partitionIndex, committedOffset]) => ({
      partitionIndex,
      committedOffset,
      committedLeaderEpoch: -1,
      committedMetadata: '',
    })),
  }));
  const { body } = await coordinator.call(8, {
    groupId,
    generationIdOrMemberEpoch: member.generationId,
    memberId: member.memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics,
  });
  for (const topic of body.topics) {
    for (const p of topic.partitions) checkErrorCode(p.errorCode, `commit of group "${groupId}" for ${topic.name}-${p.partitionIndex}`);
  }
}
