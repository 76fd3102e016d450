// A piscina task: one log cleaner job (workers/log/segment-cleaner.ts) for one compacted partition: read its
// sealed segments, write the cleaned ones under temporary names, report what it wrote. Stateless; runs in
// the cleaner pool's thread, started by the partition worker that owns the partition (workers/log-cleaner.ts).
import { NodeFileAccess } from './io/file-access.js';
import { type CleanerJob, type CleanerOutcome, cleanSegments } from './log/segment-cleaner.js';

export default function runCleanerJob(job: CleanerJob): Promise<CleanerOutcome> {
  return cleanSegments(new NodeFileAccess(), job);
}
