// InitProducerId: producer ids and epochs for idempotent producers (a known id asking again gets its
// epoch bumped). Transactions are not offered: a transactional id is refused. Runs on the main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';

const MAX_EPOCH = 0x7fff;

export const initProducerIdHandler = defineHandler({
  apiKey: 22,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const { transactionalId, producerId, producerEpoch } = request.body;
    if (transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    }
    if (producerId >= 0 && producerEpoch >= 0 && producerEpoch < MAX_EPOCH - 1) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 1 };
    }
    try {
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await ctx.producerIds.allocate(), producerEpoch: 0 };
    } catch (error) {
      // No block could be reserved (a full disk; etcd out of reach): the client retries.
      ctx.logger.warn({ err: (error as Error).message }, 'no producer id could be reserved');
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
    }
  },
});
