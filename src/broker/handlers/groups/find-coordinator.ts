// FindCoordinator: a group's coordinator is the leader of its __consumer_offsets partition — this broker when
// standalone (once the partition is online), the partition's live leader in a cluster — found once
// __consumer_offsets exists; transaction coordinators are not served. v4 batches keys.
// Share groups (key type 2) are off, as on a Kafka 3.9 broker: INVALID_REQUEST before v6 (the key type is
// not defined there), COORDINATOR_NOT_AVAILABLE from v6. Main thread.
import { ErrorCode } from '../../../shared/kafka-error-codes.js';
import { OFFSETS_TOPIC } from '../../../shared/group-protocol.js';
import { defineHandler } from '../../api-handler.js';
import type { BrokerContext } from '../../broker-context.js';
import { isInvalidGroupId } from './group-calls.js';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;
const SHARE_KEY_TYPE = 2;
const SHARE_KEY_TYPE_SINCE = 6;

interface CoordinatorFound {
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export const findCoordinatorHandler = defineHandler({
  apiKey: 10,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, { header, body }, connection) {
    const listener = connection.listenerName;
    if (header.apiVersion >= 4) {
      const coordinators = [];
      for (const key of body.coordinatorKeys) coordinators.push({ key, ...(await locate(ctx, listener, key, body.keyType, header.apiVersion)) });
      return { throttleTimeMs: 0, coordinators };
    }
    return { throttleTimeMs: 0, ...(await locate(ctx, listener, body.key, body.keyType, header.apiVersion)) };
  },
});

/** The coordinator of `key`, at its address on the listener the client came in on. */
async function locate(ctx: BrokerContext, listener: string, key: string, keyType: number, version: number): Promise<CoordinatorFound> {
  if (keyType === SHARE_KEY_TYPE && version >= SHARE_KEY_TYPE_SINCE) return notFound(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'share groups are not enabled');
  if (keyType !== GROUP_KEY_TYPE) {
    const why = keyType === TRANSACTION_KEY_TYPE ? ': Fjord has no transaction coordinator' : '';
    return notFound(ErrorCode.INVALID_REQUEST, `key type ${keyType} is not served${why}`);
  }
  if (isInvalidGroupId(key)) return notFound(ErrorCode.INVALID_GROUP_ID, 'group id is empty or too long');
  try {
    await ctx.groups.ensureOffsetsTopic();
  } catch (error) {
    ctx.logger.error({ reason: (error as Error).message }, `cannot create ${OFFSETS_TOPIC}`);
    return notFound(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC} cannot be created`);
  }
  const partition = ctx.groups.partitionFor(key);
  const cluster = ctx.membership.clusterTopics;
  if (cluster !== null) {
    const leader = cluster.partition(OFFSETS_TOPIC, partition)?.leader ?? -1;
    const broker = ctx.membership.liveBrokers(listener).find((b) => b.nodeId === leader);
    if (broker === undefined) return notFound(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} has no live leader`);
    return { nodeId: broker.nodeId, host: broker.host, port: broker.port, errorCode: ErrorCode.NONE, errorMessage: null };
  }
  const online = ctx.engine.partitions().some((p) => p.topic === OFFSETS_TOPIC && p.partition === partition && p.online);
  if (!online) return notFound(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} is offline`);
  const self = ctx.advertised.get(listener);
  if (self === undefined) return notFound(ErrorCode.COORDINATOR_NOT_AVAILABLE, `this broker has no listener ${listener}`);
  return { nodeId: ctx.nodeId, host: self.host, port: self.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

function notFound(errorCode: number, errorMessage: string): CoordinatorFound {
  return { nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}
