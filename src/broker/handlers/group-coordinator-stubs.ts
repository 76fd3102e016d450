// Group APIs until the group coordinator exists: advertised at the versions clients need (librdkafka
// needs FindCoordinator from v0), answered COORDINATOR_NOT_AVAILABLE so clients fall back cleanly.
// Runs on the main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';

const UNAVAILABLE = ErrorCode.COORDINATOR_NOT_AVAILABLE;

export const findCoordinatorHandler = defineHandler({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 2,
  handle: () => ({ throttleTimeMs: 0, errorCode: UNAVAILABLE, errorMessage: 'consumer groups are not served yet', nodeId: -1, host: '', port: -1 }),
});
