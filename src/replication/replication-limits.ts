// The bounds of the replication protocol (src/replication/): frame sizes, partitions per fetch, waits and
// backoffs. Every number the replication listener and the replica fetchers check lives here. Main thread.

const MIB = 1024 * 1024;

/** Largest frame a leader accepts from a follower (handshakes and fetch requests carry no records). */
export const REQUEST_FRAME_BYTES_MAX = MIB;
/** Largest `maxBytes` a fetch may ask for, in all and per partition; what a leader reads is capped by it. */
export const FETCH_BYTES_MAX = 64 * MIB;
/** Largest frame a follower accepts from a leader: a fetch response's records plus the fields around them. */
export const RESPONSE_FRAME_BYTES_MAX = FETCH_BYTES_MAX + MIB;
/** Partitions one fetch may name (a follower asks for every partition it follows from that leader). */
export const FETCH_PARTITIONS_MAX = 10_000;
/** Longest long poll a fetch may ask for. */
export const FETCH_WAIT_MS_MAX = 60_000;
/** Longest topic name (Kafka's limit) and cluster id a message may carry. */
export const NAME_CHARS_MAX = 249;

/** What a follower asks for: bytes per fetch and per partition, how long the leader may hold it, when it answers early. */
export const FOLLOWER_FETCH_BYTES = 16 * MIB;
export const FOLLOWER_PARTITION_FETCH_BYTES = 4 * MIB;
export const FOLLOWER_FETCH_WAIT_MS = 500;
export const FOLLOWER_FETCH_MIN_BYTES = 1;
/** A fetch unanswered this long after its wait (a leader gone silent) ends the connection. */
export const FOLLOWER_RESPONSE_GRACE_MS = 10_000;
/** Reconnect backoff of a replica fetcher: doubles from the first to the last after each failure. */
export const FOLLOWER_BACKOFF_MS_MIN = 50;
export const FOLLOWER_BACKOFF_MS_MAX = 2_000;
/** Connections the replication listener accepts at once (followers: a few per peer broker). */
export const REPLICATION_CONNECTIONS_MAX = 1_000;
/** Requests one follower connection may have in flight (a fetcher sends one at a time). */
export const REPLICATION_INFLIGHT_REQUESTS_MAX = 4;
