// What every group API handler shares: group id checks (INVALID_GROUP_ID), and calling the coordinator
// that owns a group with its failures (an offline or moving __consumer_offsets partition) turned into
// the error code Kafka gives for them. Main thread.
import { ErrorCode, KafkaError } from '../../../shared/kafka-error-codes.js';
import { type GroupOperation, type GroupOperationRequest, type GroupOperationResult, MAX_GROUP_ID_LENGTH } from '../../../shared/group-protocol.js';
import type { BrokerContext } from '../../broker-context.js';

export type CoordinatorAnswer<T> = { ok: true; value: T } | { ok: false; errorCode: number };

/** Empty, missing or longer than MAX_GROUP_ID_LENGTH: answered INVALID_GROUP_ID without reaching a coordinator. */
export function isInvalidGroupId(groupId: string | null): boolean {
  return groupId === null || groupId === '' || groupId.length > MAX_GROUP_ID_LENGTH;
}

/** Runs `operation` on `groupId`'s coordinator; a partition that is offline or gone answers COORDINATOR_NOT_AVAILABLE. */
export async function callCoordinator<K extends GroupOperation>(
  ctx: BrokerContext,
  groupId: string,
  operation: K,
  request: GroupOperationRequest<K>,
): Promise<CoordinatorAnswer<GroupOperationResult<K>>> {
  try {
    return { ok: true, value: await ctx.groups.call(groupId, operation, request) };
  } catch (error) {
    if (!(error instanceof KafkaError)) throw error;
    const code = error.code === ErrorCode.NOT_COORDINATOR ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // NOT_COORDINATOR is routine in a cluster (a client's view of the coordinator is behind a leader change).
    const level = code === ErrorCode.NOT_COORDINATOR ? 'debug' : 'warn';
    ctx.logger[level]({ groupId, operation, reason: error.message }, 'group coordinator unavailable');
    return { ok: false, errorCode: code };
  }
}

export const NO_BYTES = Buffer.alloc(0);

/** Bytes that crossed the thread boundary arrive as plain Uint8Array; a Buffer view over them, no copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
