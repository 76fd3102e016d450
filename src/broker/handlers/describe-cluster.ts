// DescribeCluster: the live brokers, the controller and the cluster id (ctx.membership: this broker alone when
// standalone, etcd's view in a cluster). Only the brokers endpoint type exists here. Runs on the main thread.
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';

const BROKERS_ENDPOINT = 1;
/** Kafka's UNSUPPORTED_ENDPOINT_TYPE; not in the shared error table (only this handler answers it). */
const UNSUPPORTED_ENDPOINT_TYPE = 119;

export const describeClusterHandler = defineHandler({
  apiKey: 60,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request, connection) {
    const cluster = { throttleTimeMs: 0, endpointType: BROKERS_ENDPOINT, clusterId: ctx.membership.clusterId };
    if (request.body.endpointType !== BROKERS_ENDPOINT) {
      return {
        ...cluster,
        errorCode: UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `this broker serves endpoint type ${BROKERS_ENDPOINT} (brokers) only`,
        brokers: [],
      };
    }
    return {
      ...cluster,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      controllerId: ctx.membership.controllerId(),
      brokers: ctx.membership.liveBrokers(connection.listenerName).map(({ nodeId, host, port, rack }) => ({ brokerId: nodeId, host, port, rack })),
    };
  },
});
