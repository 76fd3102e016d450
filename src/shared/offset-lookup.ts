// The sentinel timestamps of a ListOffsets request (Kafka's ListOffsetsRequest constants) and what a lookup by
// time or by the largest timestamp answers: shared by the ListOffsets handler (main thread) and the partition workers.

/** The log end for the client (the high watermark); in ListOffsets v0, the newest offsets first. */
export const LATEST_TIMESTAMP = -1;
/** The log start offset. */
export const EARLIEST_TIMESTAMP = -2;
/** ListOffsets v7+: the record with the largest timestamp (its offset and timestamp). */
export const MAX_TIMESTAMP = -3;
/** ListOffsets v8+: the first offset kept locally; without tiered storage, the log start offset. */
export const EARLIEST_LOCAL_TIMESTAMP = -4;
/** ListOffsets v9+: the last offset in tiered storage; with remote storage off, none (offset -1). */
export const LATEST_TIERED_TIMESTAMP = -5;

/** A record found by time (below the high watermark): its timestamp, its offset and its batch's leader epoch (-1: none). */
export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}
