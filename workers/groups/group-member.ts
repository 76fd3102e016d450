// One member of a consumer group as the coordinator tracks it: identity, timeouts, the protocols it
// offers, its assignment, and the join / sync responses it is waiting for. Runs in a partition worker.
import type { JoinResult, SyncResult } from '../../src/shared/group-protocol.js';

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export interface ProtocolOffer {
  name: string;
  metadata: Uint8Array;
}

export class GroupMember {
  assignment: Uint8Array = EMPTY_BYTES;
  /** Set while the member waits for the rebalance to finish its JoinGroup. */
  joinWaiter: ((result: JoinResult) => void) | null = null;
  /** Set while the member waits for the leader's assignment in SyncGroup. */
  syncWaiter: ((result: SyncResult) => void) | null = null;
  cancelSessionTimer: (() => void) | null = null;

  constructor(
    readonly memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public sessionTimeoutMs: number,
    public rebalanceTimeoutMs: number,
    public protocols: ProtocolOffer[],
  ) {}

  metadataFor(protocolName: string | null): Uint8Array {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** Same protocol names with the same metadata, in the same order. */
  offersSameAs(protocols: ProtocolOffer[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => p.name === this.protocols[i]!.name && Buffer.compare(Buffer.from(p.metadata), Buffer.from(this.protocols[i]!.metadata)) === 0)
    );
  }

  /** Answers a pending JoinGroup and forgets it. */
  answerJoin(result: JoinResult): void {
    const waiter = this.joinWaiter;
    this.joinWaiter = null;
    waiter?.(result);
  }

  /** Answers a pending SyncGroup and forgets it. */
  answerSync(result: SyncResult): void {
    const waiter = this.syncWaiter;
    this.syncWaiter = null;
    waiter?.(result);
  }

  stopSessionTimer(): void {
    this.cancelSessionTimer?.();
    this.cancelSessionTimer = null;
  }
}
