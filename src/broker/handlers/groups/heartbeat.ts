// Heartbeat: keeps a member's session alive and tells it when the group is rebalancing. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';

export const heartbeatHandler = defineHandler({
  apiKey: 12,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, { body }) {
    if (isInvalidGroupId(body.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    const outcome = await callCoordinator(ctx, body.groupId, 'heartbeat', {
      groupId: body.groupId,
      generationId: body.generationId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId,
    });
    return { throttleTimeMs: 0, errorCode: outcome.ok ? outcome.value : outcome.errorCode };
  },
});
