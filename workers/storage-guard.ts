// Turns what a partition operation threw into a Kafka error code, and takes a log dir offline when the
// disk is at fault: its partitions are abandoned and answer KAFKA_STORAGE_ERROR from then on, the main
// thread is told once. Runs in a partition worker.
import { isStorageFailure } from './io/file-access.js';
import { ErrorCode, KafkaError } from '../src/shared/kafka-error-codes.js';
import type { OwnedPartition, PartitionTable } from './partition-table.js';

export type DirOfflineListener = (logDir: string, reason: string) => void;

export class StorageGuard {
  constructor(
    private readonly table: PartitionTable,
    private readonly onDirOffline: DirOfflineListener,
  ) {}

  /** The error code for `error` raised while working on `owned`; a disk failure takes its dir offline. */
  codeFor(owned: OwnedPartition, error: unknown): number {
    if (error instanceof KafkaError) return error.code;
    if (isStorageFailure(error)) {
      this.takeDirOffline(owned.logDir, (error as Error).message);
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
    throw error;
  }

  /** Abandons every partition of the dir in this worker. Idempotent. */
  takeDirOffline(logDir: string, reason: string): void {
    if (this.table.offlineDirs.has(logDir)) return;
    this.table.offlineDirs.add(logDir);
    for (const owned of this.table.inDir(logDir)) {
      owned.log?.abandon();
      owned.log = null;
    }
    this.onDirOffline(logDir, reason);
  }

  /** Runs a control-plane operation on a partition; disk failures become KAFKA_STORAGE_ERROR KafkaErrors. */
  run<T>(owned: OwnedPartition | undefined, slot: number, operation: (owned: OwnedPartition & { log: NonNullable<OwnedPartition['log']> }) => T): T {
    if (owned === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no partition in slot ${slot}`);
    if (owned.log === null) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log dir ${owned.logDir} is offline`);
    try {
      return operation(owned as OwnedPartition & { log: NonNullable<OwnedPartition['log']> });
    } catch (error) {
      const code = this.codeFor(owned, error);
      throw error instanceof KafkaError ? error : new KafkaError(code, (error as Error).message);
    }
  }
}
