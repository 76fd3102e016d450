// Consumer group lag for /metrics: every group's committed offsets (asked of its coordinator, in the
// worker owning the group's __consumer_offsets partition) against each partition's high watermark (the
// end a consumer can read to). Bounded: at most `maxGroups` groups per scrape, the first by group id;
// the rest are counted as omitted. Runs on the main thread, at scrape time.
import { partitionKey } from '../engine/log-dirs.js';
import type { GroupListing, GroupOperationResult } from '../shared/group-protocol.js';
import { ErrorCode } from '../shared/kafka-error-codes.js';

export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  committedOffset: number;
  /** High watermark minus the committed offset, never below 0. */
  lag: number;
}

export interface LagReport {
  groups: GroupListing[];
  rows: LagRow[];
  /** Groups beyond the per-scrape bound, not in `rows`. */
  groupsOmitted: number;
}

export const NO_LAG: LagReport = { groups: [], rows: [], groupsOmitted: 0 };

/** What lag needs of the group coordinators (the broker's group router provides it; observability does not import the handler layer). */
export interface GroupOffsetsSource {
  listAll(): Promise<GroupListing[]>;
  /** Every committed offset of one group. */
  fetchOffsets(groupId: string): Promise<GroupOperationResult<'fetchOffsets'>>;
}

/** `endOffsets` maps `topic\0partition` to the high watermark of each online partition. */
export async function consumerLag(groups: GroupOffsetsSource, endOffsets: ReadonlyMap<string, number>, maxGroups: number): Promise<LagReport> {
  const listed = await groups.listAll();
  if (listed.length === 0) return { groups: [], rows: [], groupsOmitted: 0 };
  const chosen = maxGroups === 0 ? [] : [...listed].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0)).slice(0, maxGroups);
  const answers = await Promise.all(chosen.map((g) => groups.fetchOffsets(g.groupId)));
  const rows: LagRow[] = [];
  answers.forEach((answer, i) => {
    if (answer.errorCode !== ErrorCode.NONE) return;
    for (const committed of answer.offsets) {
      const end = endOffsets.get(partitionKey(committed.topic, committed.partition));
      if (committed.errorCode !== ErrorCode.NONE || committed.offset < 0 || end === undefined) continue;
      rows.push({
        group: chosen[i]!.groupId,
        topic: committed.topic,
        partition: committed.partition,
        committedOffset: committed.offset,
        lag: Math.max(0, end - committed.offset),
      });
    }
  });
  return { groups: listed, rows, groupsOmitted: listed.length - chosen.length };
}
