// JoinGroup: checks the group id and session timeout, then hands the join to the group's coordinator,
// which answers when the rebalance completes (the leader gets every member's metadata). v8's reason is only
// logged by Kafka. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import type { JoinResult } from '../../../shared/group-protocol.js';
import { defineHandler } from '../../api-handler.js';
import { asBuffer, callCoordinator, isInvalidGroupId } from './group-calls.js';

/** JoinGroup v4 is the first where a member without an id must rejoin with the one it is given. */
const MEMBER_ID_REQUIRED_SINCE = 4;
/** JoinGroup v9 is the first that can tell a rejoining static leader to skip the assignment. */
const SKIP_ASSIGNMENT_SINCE = 9;

export const joinGroupHandler = defineHandler({
  apiKey: 11,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, { header, body }, connection) {
    const version = header.apiVersion;
    const answer = (result: JoinResult) => ({
      throttleTimeMs: 0,
      ...result,
      protocolName: result.protocolName ?? (version >= 7 ? null : ''),
      members: result.members.map((m) => ({ ...m, metadata: asBuffer(m.metadata) })),
    });
    const fail = (errorCode: number) =>
      answer({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: body.memberId, members: [] });
    if (isInvalidGroupId(body.groupId)) return fail(ErrorCode.INVALID_GROUP_ID);
    const { minSessionTimeoutMs, maxSessionTimeoutMs } = ctx.config.groups;
    if (body.sessionTimeoutMs < minSessionTimeoutMs || body.sessionTimeoutMs > maxSessionTimeoutMs) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    const outcome = await callCoordinator(ctx, body.groupId, 'join', {
      groupId: body.groupId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId,
      clientId: header.clientId ?? '',
      clientHost: `/${connection.remote.slice(0, connection.remote.lastIndexOf(':'))}`,
      sessionTimeoutMs: body.sessionTimeoutMs,
      // v0 has no rebalance timeout: Kafka uses the session timeout.
      rebalanceTimeoutMs: body.rebalanceTimeoutMs < 0 ? body.sessionTimeoutMs : body.rebalanceTimeoutMs,
      protocolType: body.protocolType,
      protocols: body.protocols,
      requireKnownMemberId: version >= MEMBER_ID_REQUIRED_SINCE,
      supportSkippingAssignment: version >= SKIP_ASSIGNMENT_SINCE,
    });
    return outcome.ok ? answer(outcome.value) : fail(outcome.errorCode);
  },
});
