// DescribeLogDirs: every log dir of this broker with its state (KAFKA_STORAGE_ERROR when offline), its volume's
// size and usable bytes (v4), and each partition it holds, for all topics or the requested ones: size, offset
// lag, and the copies being built by moves between log dirs (isFutureKey), as Kafka answers. Runs on the main thread.
import type { FutureLogStats, PartitionStats } from '../../shared/worker-protocol.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler, type RequestOfKey } from '../api-handler.js';

type Wanted = RequestOfKey<35>['body']['topics'];

interface DirPartition {
  topic: string;
  partitionIndex: number;
  partitionSize: number;
  offsetLag: number;
  isFutureKey: boolean;
}

export const describeLogDirsHandler = defineHandler({
  apiKey: 35,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const stats = await ctx.engine.stats();
    const isWanted = wantedFilter(request.body.topics);
    const current = stats.workers.flatMap((w) => w.partitions).filter((p) => isWanted(p.topic, p.partition));
    const futures = stats.workers.flatMap((w) => w.futureLogs).filter((p) => isWanted(p.topic, p.partition));
    const listed = [...current.map(currentLog), ...futures.map(futureLog)];
    const results = stats.logDirs.map((dir) => ({
      errorCode: dir.online ? ErrorCode.NONE : ErrorCode.KAFKA_STORAGE_ERROR,
      logDir: dir.path,
      topics: dir.online ? byTopic(listed.filter((p) => p.logDir === dir.path)) : [],
      totalBytes: dir.totalBytes,
      usableBytes: dir.usableBytes,
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
});

/** The partition's own log: its lag is how far its end is below the high watermark (0 on a leader), as Kafka's. */
function currentLog(p: PartitionStats): DirPartition & { logDir: string } {
  const offsetLag = p.online ? Math.max(p.highWatermark - p.logEndOffset, 0) : -1;
  return { logDir: p.logDir, topic: p.topic, partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag, isFutureKey: false };
}

/** A move's copy: its lag is how far its end is below the partition's log end. */
function futureLog(p: FutureLogStats): DirPartition & { logDir: string } {
  return { logDir: p.logDir, topic: p.topic, partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: p.offsetLag, isFutureKey: true };
}

/** null asks for every partition; otherwise only the listed partitions of the listed topics. */
function wantedFilter(topics: Wanted): (topic: string, partition: number) => boolean {
  if (topics === null) return () => true;
  const wanted = new Map(topics.map((t) => [t.topic, new Set(t.partitions)]));
  return (topic, partition) => wanted.get(topic)?.has(partition) ?? false;
}

function byTopic(partitions: readonly DirPartition[]) {
  const topics = new Map<string, Array<Omit<DirPartition, 'topic'>>>();
  for (const { topic, partitionIndex, partitionSize, offsetLag, isFutureKey } of partitions) {
    let list = topics.get(topic);
    if (list === undefined) {
      list = [];
      topics.set(topic, list);
    }
    list.push({ partitionIndex, partitionSize, offsetLag, isFutureKey });
  }
  return [...topics].map(([name, list]) => ({ name, partitions: list.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
}
