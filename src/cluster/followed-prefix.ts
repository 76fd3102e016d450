// One etcd prefix followed on every broker for an in-memory copy (the SCRAM credentials, the ACLs): a snapshot, then
// each change handed to a follower in revision order, the watch read again if etcd ends it; and read-your-writes:
// a writer waits until the copy reflects its write's revision. Main thread.
import type { Logger } from 'pino';
import { ErrorCode, KafkaError } from '../shared/kafka-error-codes.js';
import { ETCD_RETRY_MS } from './etcd-deadline.js';
import { type KeyChange, type PrefixWatch, type WatchScope, watchPrefix } from './prefix-watch.js';

/** How long a change waits at most for the watch to bring it back here (it is in etcd either way). */
const APPLY_WAIT_MS = 5_000;

/** The in-memory copy: emptied before each snapshot, then given every key of it and every later change. */
export interface PrefixFollower {
  clear(): void;
  apply(change: KeyChange): void;
}

export class FollowedPrefix {
  private watch: PrefixWatch | null = null;
  /** The etcd revision the copy reflects: the snapshot's, then each change's as it arrives. */
  private appliedRevision = 0n;
  private readonly waiters = new Set<{ revision: bigint; resolve: () => void }>();
  private closed = false;

  private constructor(
    private readonly etcd: WatchScope,
    private readonly prefix: string,
    /** What the prefix holds, for log lines and errors ("SCRAM credentials"). */
    private readonly what: string,
    private readonly follower: PrefixFollower,
    private readonly logger: Logger,
  ) {}

  /** Reads the prefix into `follower`, then follows it; resolves once the snapshot is applied. */
  static async open(etcd: WatchScope, prefix: string, what: string, follower: PrefixFollower, logger: Logger): Promise<FollowedPrefix> {
    const followed = new FollowedPrefix(etcd, prefix, what, follower, logger);
    followed.watch = await followed.startWatch();
    return followed;
  }

  /** Runs one etcd write; any failure is REQUEST_TIMED_OUT (nothing was changed, the client may retry). */
  async write<T>(call: (ns: WatchScope['ns']) => Promise<T>): Promise<T> {
    try {
      return await call(this.etcd.ns);
    } catch (error) {
      throw new KafkaError(
        ErrorCode.REQUEST_TIMED_OUT,
        `etcd did not take the change of ${this.what} (${(error as Error).message.split('\n')[0]}); nothing was changed`,
      );
    }
  }

  /** Resolves once the copy reflects `revision` (a write's under this prefix), or after APPLY_WAIT_MS. */
  applied(revision: bigint): Promise<void> {
    if (this.appliedRevision >= revision || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve();
      }, APPLY_WAIT_MS);
      this.waiters.add(waiter);
    });
  }

  /** Stops following etcd (before its client closes); waiting writers resolve. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
    await this.watch?.cancel();
  }

  private reached(revision: bigint): void {
    this.appliedRevision = revision;
    for (const waiter of this.waiters) {
      if (waiter.revision > revision) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private startWatch(): Promise<PrefixWatch> {
    return watchPrefix(this.etcd, this.prefix, {
      onSnapshot: (snapshot, revision) => {
        this.follower.clear();
        for (const change of snapshot) this.follower.apply(change);
        this.reached(revision);
      },
      onChanges: (changes) => {
        for (const change of changes) this.follower.apply(change);
        this.reached(changes[changes.length - 1]!.modRevision);
      },
      onError: (error) => void this.watchAgain(error),
    });
  }

  /** The watch ended (e.g. its revision was compacted): read the snapshot again, retrying while etcd is away. */
  private async watchAgain(error: Error): Promise<void> {
    this.logger.warn({ err: error.message }, `the watch of ${this.what} in etcd ended; reading them again`);
    while (!this.closed) {
      try {
        const watch = await this.startWatch();
        if (this.closed) await watch.cancel();
        else this.watch = watch;
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, ETCD_RETRY_MS));
      }
    }
  }
}
