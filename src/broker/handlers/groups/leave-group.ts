// LeaveGroup: one member (v0–2) or several, by member id or group instance id (v3+), leave; the group
// rebalances without them. v5's reasons are only logged by Kafka. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';

const BATCHED_SINCE = 3;

export const leaveGroupHandler = defineHandler({
  apiKey: 13,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, { header, body }) {
    const batched = header.apiVersion >= BATCHED_SINCE;
    const members = batched ? body.members : [{ memberId: body.memberId, groupInstanceId: null }];
    if (isInvalidGroupId(body.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const outcome = await callCoordinator(ctx, body.groupId, 'leave', { groupId: body.groupId, members });
    if (!outcome.ok) return { throttleTimeMs: 0, errorCode: outcome.errorCode, members: [] };
    const result = outcome.value;
    // Before v3 the one member's error is the request's error.
    if (!batched) return { throttleTimeMs: 0, errorCode: result.members[0]?.errorCode ?? result.errorCode, members: [] };
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  },
});
