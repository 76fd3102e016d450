// DescribeLogDirs: every log dir of this broker with its state (KAFKA_STORAGE_ERROR when offline) and the
// size of each partition it holds, for all topics or the requested ones. Runs on the main thread.
import type { PartitionStats } from '../../shared/worker-protocol.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';

type Wanted = RequestOfKey<35>['body']['topics'];

export const describeLogDirsHandler = defineHandler({
  apiKey: 35,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const stats = await ctx.engine.stats();
    const isWanted = wantedFilter(request.body.topics);
    const partitions = stats.workers.flatMap((w) => w.partitions).filter((p) => isWanted(p.topic, p.partition));
    const results = stats.logDirs.map((dir) =>
      dir.online
        ? { errorCode: ErrorCode.NONE, logDir: dir.path, topics: byTopic(partitions.filter((p) => p.logDir === dir.path)) }
        : { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir.path, topics: [] },
    );
    return { throttleTimeMs: 0, results };
  },
});

/** null asks for every partition; otherwise only the listed partitions of the listed topics. */
function wantedFilter(topics: Wanted): (topic: string, partition: number) => boolean {
  if (topics === null) return () => true;
  const wanted = new Map(topics.map((t) => [t.topic, new Set(t.partitions)]));
  return (topic, partition) => wanted.get(topic)?.has(partition) ?? false;
}

function byTopic(partitions: readonly PartitionStats[]) {
  const topics = new Map<string, Array<{ partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }>>();
  for (const p of partitions) {
    let list = topics.get(p.topic);
    if (list === undefined) {
      list = [];
      topics.set(p.topic, list);
    }
    list.push({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: 0, isFutureKey: false });
  }
  return [...topics].map(([name, list]) => ({ name, partitions: list.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
}
