// DeleteGroups: removes empty groups with their committed offsets (tombstones in __consumer_offsets);
// a group with members answers NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { callCoordinator, isInvalidGroupId } from './group-calls.js';

export const deleteGroupsHandler = defineHandler({
  apiKey: 42,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, { body }) {
    const results = [];
    for (const groupId of body.groupsNames) {
      if (isInvalidGroupId(groupId)) {
        results.push({ groupId, errorCode: ErrorCode.INVALID_GROUP_ID });
        continue;
      }
      const outcome = await callCoordinator(ctx, groupId, 'deleteGroup', groupId);
      results.push({ groupId, errorCode: outcome.ok ? outcome.value : outcome.errorCode });
    }
    return { throttleTimeMs: 0, results };
  },
});
