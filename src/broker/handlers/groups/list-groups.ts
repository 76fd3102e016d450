// ListGroups: every group of every coordinator on this broker, with its protocol type, (v4) state and (v5)
// type, filtered by the states and types asked for. Every Fjord group is a classic group (no KIP-848), so as
// Kafka 3.9 with its classic coordinator: a types filter without 'classic' (any case) lists none. Main thread.
import { ErrorCode, KafkaError } from '../../../shared/kafka-error-codes.js';
import { defineHandler } from '../../api-handler.js';

const CLASSIC_GROUP_TYPE = 'classic';

export const listGroupsHandler = defineHandler({
  apiKey: 16,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, { body }) {
    try {
      const wanted = new Set((body.statesFilter ?? []).map((s) => s.toLowerCase()));
      const types = body.typesFilter ?? [];
      const typeMatches = types.length === 0 || types.some((t) => t.toLowerCase() === CLASSIC_GROUP_TYPE);
      const listed = typeMatches ? await ctx.groups.listAll() : [];
      const groups = listed.filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()));
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: CLASSIC_GROUP_TYPE })),
      };
    } catch (error) {
      if (!(error instanceof KafkaError)) throw error;
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    }
  },
});
