// Consumes one topic, either from partitions the caller picks or as a member of a consumer group (classic
// protocol, range assignment, committed offsets resumed, auto-commit of what the caller has consumed,
// rejoin on rebalance or when the coordinator moved or died, leave on close). Delivery is at least once: after a
// rejoin, records consumed but not committed are delivered again. Runs on the caller's main thread.
import { Fetcher, type FetchedMessage, type FetcherOptions } from './fetcher.js';
import { commitOffsets, fetchCommittedOffsets } from './group-offsets.js';
import { GroupMember, type GroupMemberOptions } from './group-member.js';
import type { KafkaClient } from './kafka-client.js';
import { KafkaResponseError } from './kafka-errors.js';
import { isRetriableError } from './retry.js';
import { resolveStartPositions, type StartPosition } from './start-position.js';

export interface TopicConsumerOptions {
  topic: string;
  /** Partitions to read without a group; all when absent. Not allowed with groupId. */
  partitions?: readonly number[];
  /** Where to start; in a group, only partitions without a committed offset start here. */
  start: StartPosition;
  groupId?: string;
  autoCommitIntervalMs?: number;
  fetch?: Partial<FetcherOptions>;
  member?: Partial<GroupMemberOptions>;
}

const AUTO_COMMIT_INTERVAL_MS = 5_000;
/** How long a poll with nothing assigned waits, so an idle member does not spin. */
const IDLE_POLL_MS = 500;
/** ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS: a commit from a generation that has ended. */
const GENERATION_ERRORS = new Set([22, 25, 27]);

export class TopicConsumer {
  private readonly fetcher: Fetcher;
  private readonly member: GroupMember | null;
  /** partition → offset after the last record the caller consumed (what a commit stores). */
  private readonly consumed = new Map<number, number>();
  private lastCommitMs = Date.now();
  private started = false;
  /** A poll ended because brokers stayed unreachable past the retry timeout: close() then goes without a word. */
  private gaveUp = false;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: TopicConsumerOptions,
  ) {
    this.fetcher = new Fetcher(client, options.topic, options.fetch);
    this.member =
      options.groupId === undefined ? null : new GroupMember(client, options.groupId, [options.topic], { retry: client.retryPolicy, ...options.member });
  }

  /** The partitions currently read. */
  get assignment(): number[] {
    return [...this.fetcher.positions.keys()].sort((a, b) => a - b);
  }

  /** Every assigned partition has been read up to its high watermark. */
  atEnd(): boolean {
    return this.started && this.fetcher.atEnd();
  }

  /**
   * The next records (possibly none after a long poll), joining or rejoining the group first when needed. Throws
   * when an error retrying cannot mend comes, or brokers stay unreachable for the client's retry timeout.
   */
  async poll(): Promise<FetchedMessage[]> {
    try {
      return await this.pollOnce();
    } catch (error) {
      this.gaveUp = isRetriableError(error);
      throw error;
    }
  }

  private async pollOnce(): Promise<FetchedMessage[]> {
    if (this.member === null && !this.started) await this.assignDirectly();
    if (this.member !== null) {
      if (this.member.failure !== null) throw this.member.failure;
      if (this.member.rebalanceNeeded) await this.rejoin(this.member);
      await this.autoCommit(this.member);
    }
    if (this.fetcher.positions.size === 0) {
      // A group member left without partitions (more members than partitions) waits for the next rebalance.
      await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
      return [];
    }
    return this.fetcher.fetch();
  }

  /** Records the caller handled: the group commits after them. */
  markConsumed(message: FetchedMessage): void {
    this.consumed.set(message.partition, message.offset + 1);
  }

  /** Commits what was consumed and leaves the group (only stops heartbeats when the brokers could not be reached). */
  async close(): Promise<void> {
    if (this.member === null) return;
    if (this.gaveUp) return this.member.stopHeartbeats();
    await this.commit(this.member).catch(() => undefined);
    await this.member.leave();
  }

  private async assignDirectly(): Promise<void> {
    const topic = await this.client.topic(this.options.topic);
    const partitions = this.options.partitions ?? topic.partitions.map((p) => p.partition);
    for (const p of partitions) {
      if (!topic.partitions.some((info) => info.partition === p)) {
        throw new RangeError(`topic "${this.options.topic}" has no partition ${p} (it has 0-${topic.partitions.length - 1})`);
      }
    }
    this.fetcher.assign(await resolveStartPositions(this.client, this.options.topic, partitions, this.options.start));
    this.started = true;
  }

  private async rejoin(member: GroupMember): Promise<void> {
    if (this.started) await this.commit(member).catch(() => undefined);
    await this.client.topic(this.options.topic);
    const partitions = (await member.join()).assignment.get(this.options.topic) ?? [];
    const committed = (await fetchCommittedOffsets(this.client, member.groupId, new Map([[this.options.topic, partitions]]))).get(this.options.topic);
    const fresh = partitions.filter((p) => (committed?.get(p) ?? -1) < 0);
    const starts = await resolveStartPositions(this.client, this.options.topic, fresh, this.options.start);
    this.fetcher.assign(new Map(partitions.map((p) => [p, starts.get(p) ?? committed!.get(p)!])));
    this.consumed.clear();
    this.started = true;
  }

  private async autoCommit(member: GroupMember): Promise<void> {
    if (Date.now() - this.lastCommitMs < (this.options.autoCommitIntervalMs ?? AUTO_COMMIT_INTERVAL_MS)) return;
    try {
      await this.commit(member);
    } catch (error) {
      // The coordinator moved, died or answered late: what was consumed stays to be committed next time (a
      // heartbeat that cannot reach the coordinator makes the member find it again and rejoin).
      if (isRetriableError(error)) return;
      // The group moved to a new generation under us: rejoin; the records are delivered again (at least once).
      if (!(error instanceof KafkaResponseError) || !GENERATION_ERRORS.has(error.code)) throw error;
      member.rebalanceNeeded = true;
    }
  }

  private async commit(member: GroupMember): Promise<void> {
    this.lastCommitMs = Date.now();
    if (this.consumed.size === 0) return;
    const offsets = new Map([[this.options.topic, new Map(this.consumed)]]);
    await commitOffsets(this.client, member.groupId, member, offsets);
    this.consumed.clear();
  }
}
