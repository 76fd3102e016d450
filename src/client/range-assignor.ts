// Kafka's RangeAssignor ("range"): for each topic, the members subscribed to it in member-id order (group
// instance id first, when set) get consecutive ranges of partitions, the first `partitions % members` one
// extra. Pure function; runs on the caller's main thread (in the group leader).
import type { TopicPartitions } from '../shared/consumer-protocol.js';

export interface AssignorMember {
  memberId: string;
  groupInstanceId: string | null;
  topics: readonly string[];
}

export const RANGE_ASSIGNOR = 'range';

/** memberId → its partitions of each subscribed topic; `partitionCounts` holds the partitions per topic. */
export function assignRange(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartitions> {
  const result = new Map<string, TopicPartitions>(members.map((m) => [m.memberId, new Map()]));
  const sortKey = (m: AssignorMember): string => m.groupInstanceId ?? m.memberId;
  for (const [topic, partitions] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const subscribed = members.filter((m) => m.topics.includes(topic)).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    if (subscribed.length === 0) continue;
    const perMember = Math.floor(partitions / subscribed.length);
    const withExtra = partitions % subscribed.length;
    subscribed.forEach((member, i) => {
      const start = perMember * i + Math.min(i, withExtra);
      const length = perMember + (i < withExtra ? 1 : 0);
      if (length > 0)
        result.get(member.memberId)!.set(
          topic,
          Array.from({ length }, (_, k) => start + k),
        );
    });
  }
  return result;
}
