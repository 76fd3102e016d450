// Consumer group administration through standard APIs: list every broker's groups (ListGroups), describe
// one at its coordinator (DescribeGroups, with each member's subscription and assignment decoded), remove
// members (LeaveGroup v3+, several at once), delete (DeleteGroups). Offsets are in group-offsets.ts. Runs on the
// caller's main thread.
import { decodeAssignment, decodeSubscription, type TopicPartitions } from '../shared/consumer-protocol.js';
import type { KafkaClient } from './kafka-client.js';
import { checkErrorCode } from './kafka-errors.js';

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** '' when the broker is too old to say (ListGroups < v4). */
  state: string;
}

export async function listGroups(client: KafkaClient): Promise<GroupListing[]> {
  const brokers = await client.allBrokers();
  const answers = await Promise.all(brokers.map((broker) => broker.call(16, { statesFilter: [] })));
  const groups = new Map<string, GroupListing>();
  for (const { body } of answers) {
    checkErrorCode(body.errorCode, 'list groups');
    for (const g of body.groups) groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
  }
  return [...groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Decoded for the "consumer" protocol; empty otherwise. */
  subscribedTopics: string[];
  assignment: TopicPartitions;
}

export interface GroupDescription {
  groupId: string;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable, Dead (an unknown group is Dead). */
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
}

export async function describeGroup(client: KafkaClient, groupId: string): Promise<GroupDescription> {
  const coordinator = await client.coordinator(groupId);
  const { body } = await coordinator.call(15, { groups: [groupId], includeAuthorizedOperations: false });
  const group = body.groups[0];
  checkErrorCode(group?.errorCode ?? -1, `describe group "${groupId}"`);
  const isConsumer = group!.protocolType === 'consumer';
  return {
    groupId,
    state: group!.groupState,
    protocolType: group!.protocolType,
    protocol: group!.protocolData,
    members: group!.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopics: isConsumer ? safely(() => decodeSubscription(m.memberMetadata).topics, []) : [],
      assignment: isConsumer ? safely(() => decodeAssignment(m.memberAssignment), new Map()) : new Map(),
    })),
  };
}

/** Member bytes from another client may not parse as the consumer protocol; show nothing rather than fail. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Removes members from a group at once (LeaveGroup v3+, as Kafka's admin removeMembersFromConsumerGroup). */
export async function removeGroupMembers(client: KafkaClient, groupId: string, memberIds: readonly string[]): Promise<void> {
  const coordinator = await client.coordinator(groupId);
  const { body } = await coordinator.call(
    13,
    { groupId, memberId: '', members: memberIds.map((memberId) => ({ memberId, groupInstanceId: null })) },
    { minVersion: 3 },
  );
  checkErrorCode(body.errorCode, `remove members of group "${groupId}"`);
  const failed = body.members.find((m) => m.errorCode !== 0);
  if (failed !== undefined) checkErrorCode(failed.errorCode, `remove member ${failed.memberId} of group "${groupId}"`);
}

export async function deleteGroup(client: KafkaClient, groupId: string): Promise<void> {
  const coordinator = await client.coordinator(groupId);
  const { body } = await coordinator.call(42, { groupsNames: [groupId] });
  const result = body.results.find((r) => r.groupId === groupId);
  checkErrorCode(result?.errorCode ?? -1, `delete group "${groupId}"`);
}
