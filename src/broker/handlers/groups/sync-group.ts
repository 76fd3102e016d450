// SyncGroup: the leader hands in every member's assignment and each member gets its own once the group
// is Stable; answered by the group's coordinator. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { asBuffer, callCoordinator, isInvalidGroupId, NO_BYTES } from './group-calls.js';

export const syncGroupHandler = defineHandler({
  apiKey: 14,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, { body }) {
    const fail = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: NO_BYTES });
    if (isInvalidGroupId(body.groupId)) return fail(ErrorCode.INVALID_GROUP_ID);
    const outcome = await callCoordinator(ctx, body.groupId, 'sync', {
      groupId: body.groupId,
      generationId: body.generationId,
      memberId: body.memberId,
      groupInstanceId: body.groupInstanceId,
      protocolType: body.protocolType,
      protocolName: body.protocolName,
      assignments: body.assignments,
    });
    return outcome.ok ? { throttleTimeMs: 0, ...outcome.value, assignment: asBuffer(outcome.value.assignment) } : fail(outcome.errorCode);
  },
});
