// Entry point of a partition worker thread: attaches to its two data-path rings, exposes the control
// plane over comlink, runs the periodic retention / flush / checkpoint tasks and serves the data path.
// Runs in a partition worker (started by src/engine/worker-handle.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { Comlink, endpointOf } from '../src/shared/comlink-endpoint.js';
import { SpscRing } from '../src/shared/ring/spsc-ring.js';
import type { PartitionWorkerData, WorkerEvent } from '../src/shared/worker-protocol.js';
import { DataPath } from './data-path.js';
import { CoordinatorRegistry } from './groups/coordinator-registry.js';
import { FaultInjectingFileAccess } from './io/fault-injecting-file-access.js';
import { NodeFileAccess } from './io/file-access.js';
import { PartitionTable } from './partition-table.js';
import { StorageGuard } from './storage-guard.js';
import { WorkerControl } from './worker-control.js';

const data = workerData as PartitionWorkerData;
const port = parentPort!;
const post = (event: WorkerEvent): void => port.postMessage(event);
const faults = data.faultInjection ? new FaultInjectingFileAccess(new NodeFileAccess()) : null;
const files = faults ?? new NodeFileAccess();
const table = new PartitionTable();
const guard = new StorageGuard(table, (logDir, reason) => post({ fjordEvent: 'dir-offline', logDir, reason }));
const dataPath = new DataPath(new SpscRing(data.requestRing), new SpscRing(data.completionRing), table, guard, Date.now, Buffer.from(data.fetchArena));
const log = (level: 'info' | 'warn' | 'error', message: string): void => post({ fjordEvent: 'log', level, message });
const coordinators = new CoordinatorRegistry(data.settings.groups, log);
const control = new WorkerControl(data.workerId, files, table, guard, dataPath, log, faults, coordinators);

Comlink.expose(control, endpointOf(port));

const timers = [
  setInterval(() => control.applyRetention(), data.settings.retentionCheckIntervalMs),
  setInterval(() => control.flushDue(), data.settings.flushCheckIntervalMs),
  setInterval(() => control.flushDue(Date.now(), true), data.settings.checkpointIntervalMs),
  setInterval(() => void control.compactDue(), data.settings.cleanerBackoffMs),
];
for (const timer of timers) timer.unref();

dataPath.run().catch((error: unknown) => {
  // A bug in the data path: let the thread die so the main thread restarts it and recovers its partitions.
  setImmediate(() => {
    throw error;
  });
});
