// ListGroups: every group of every coordinator on this broker, with its protocol type and (v4) state,
// filtered by the states asked for. Main thread.
import { ErrorCode, KafkaError } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';

export const listGroupsHandler = defineHandler({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, { body }) {
    try {
      const wanted = new Set((body.statesFilter ?? []).map((s) => s.toLowerCase()));
      const groups = (await ctx.groups.listAll()).filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()));
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })),
      };
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error;
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    }
  },
});
