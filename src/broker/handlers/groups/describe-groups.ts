// DescribeGroups: each group's state, protocol and members (with metadata and assignment once Stable);
// a group that does not exist is described as Dead, as Kafka does. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';
import { asBuffer, callCoordinator, isInvalidGroupId } from './group-calls.js';

/** Kafka's "authorized operations not asked for". */
const OPERATIONS_NOT_ASKED = -2147483648;

export const describeGroupsHandler = defineHandler({
  apiKey: 15,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, { body }) {
    const groups = await Promise.all(
      body.groups.map(async (groupId) => {
        const fail = (errorCode: number) => ({
          errorCode,
          groupId,
          groupState: '',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: OPERATIONS_NOT_ASKED,
        });
        if (isInvalidGroupId(groupId)) return fail(ErrorCode.INVALID_GROUP_ID);
        const outcome = await callCoordinator(ctx, groupId, 'describe', groupId);
        if (!outcome.ok) return fail(outcome.errorCode);
        const d = outcome.value;
        return {
          errorCode: d.errorCode,
          groupId,
          groupState: d.state,
          protocolType: d.protocolType,
          protocolData: d.protocolName,
          members: d.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: asBuffer(m.metadata),
            memberAssignment: asBuffer(m.assignment),
          })),
          authorizedOperations: OPERATIONS_NOT_ASKED,
        };
      }),
    );
    return { throttleTimeMs: 0, groups };
  },
});
