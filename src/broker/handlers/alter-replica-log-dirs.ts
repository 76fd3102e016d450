// AlterReplicaLogDirs: moves each listed partition into the listed log dir while it keeps serving (the engine
// copies it, then switches over; src/engine/log-dir-mover.ts). Answers once each move has started, as Kafka
// does; DescribeLogDirs shows the copy (isFutureKey) until the switch. Errors per partition: LOG_DIR_NOT_FOUND
// (a dir not in log.dirs), KAFKA_STORAGE_ERROR (the target or the partition's dir offline),
// UNKNOWN_TOPIC_OR_PARTITION. A partition listed under two dirs goes to the last. Runs on the main thread.
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import type { BrokerContext } from '../broker-context.js';
import { attempt } from './admin-results.js';

export const alterReplicaLogDirsHandler = defineHandler({
  apiKey: 34,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const wanted = new Map<string, Map<number, string>>();
    for (const dir of request.body.dirs) {
      for (const topic of dir.topics) {
        const partitions = wanted.get(topic.name) ?? new Map<number, string>();
        for (const partition of topic.partitions) partitions.set(partition, dir.path);
        wanted.set(topic.name, partitions);
      }
    }
    const results = await Promise.all(
      [...wanted].map(async ([topicName, partitions]) => ({
        topicName,
        partitions: await Promise.all([...partitions].map(([partitionIndex, path]) => moveOne(ctx, topicName, partitionIndex, path))),
      })),
    );
    return { throttleTimeMs: 0, results };
  },
});

async function moveOne(ctx: BrokerContext, topic: string, partitionIndex: number, path: string) {
  // Kafka compares the absolute path as given (a trailing slash aside): a relative one names no log dir.
  const logDir = isAbsolute(path) ? resolve(path) : path;
  const outcome = await attempt(() => ctx.topics.moveToLogDir(topic, partitionIndex, logDir));
  if (!outcome.ok) {
    ctx.logger.info({ topic, partition: partitionIndex, logDir: path, error: outcome.errorMessage }, 'partition move refused');
    return { partitionIndex, errorCode: outcome.errorCode };
  }
  return { partitionIndex, errorCode: ErrorCode.NONE };
}
