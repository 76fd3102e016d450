// A piscina task: crash recovery of one partition folder before any worker owns it (validate every
// batch from the recovery point, cut the torn tail, rebuild indexes, write the checkpoint). Stateless;
// runs in a piscina pool thread at start-up, several partitions and dirs in parallel.
import { NodeFileAccess } from './io/file-access.js';
import { PartitionLog } from './log/partition-log.js';
import type { LogConfig } from '../src/shared/topic-config.js';

export interface RecoveryJob {
  partitionDir: string;
  config: LogConfig;
}

export interface RecoveryOutcome {
  partitionDir: string;
  logEndOffset: number;
  sizeBytes: number;
  repairs: string[];
}

export default function recoverPartition(job: RecoveryJob): RecoveryOutcome {
  const repairs: string[] = [];
  const nowMs = Date.now();
  const log = PartitionLog.open(new NodeFileAccess(), job.partitionDir, job.config, {
    nowMs,
    trustedOnDisk: false,
    onRepair: (what) => repairs.push(what),
  });
  const outcome = { partitionDir: job.partitionDir, logEndOffset: log.logEndOffset, sizeBytes: log.sizeBytes, repairs };
  log.close(nowMs);
  return outcome;
}
