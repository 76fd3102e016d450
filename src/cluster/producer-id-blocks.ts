// Producer id blocks for a cluster: etcd key `producer-ids` holds the first id no broker has reserved; a broker
// reserves a block by compare-and-swap of that key (guarded by its registration), so every id is handed out by
// one broker once. Main thread.
import type { Namespace } from 'etcd3';
import type { Fence } from './fence.js';
import { guardedBy } from './fence.js';

export const PRODUCER_IDS_KEY = 'producer-ids';

/** Reserves `size` ids; resolves with the first. Retries while other brokers win the swap; throws when the fence is gone. */
export async function reserveProducerIdBlock(ns: Namespace, fence: Fence | null, size: number): Promise<number> {
  if (fence === null) throw new Error('not registered in etcd: producer ids cannot be reserved now');
  for (;;) {
    const kv = (await ns.get(PRODUCER_IDS_KEY).exec()).kvs[0];
    const first = kv === undefined ? 0 : Number(kv.value.toString());
    if (!Number.isSafeInteger(first) || first < 0) throw new Error(`etcd key ${PRODUCER_IDS_KEY} holds no producer id ("${kv?.value.toString()}")`);
    const unchanged = kv === undefined ? ns.if(PRODUCER_IDS_KEY, 'Create', '==', 0) : ns.if(PRODUCER_IDS_KEY, 'Mod', '==', kv.mod_revision);
    const result = await guardedBy(unchanged, fence)
      .then(ns.put(PRODUCER_IDS_KEY).value(String(first + size)))
      .commit();
    if (result.succeeded) return first;
    const fenceKey = (await ns.get(fence.key).exec()).kvs[0];
    if (fenceKey === undefined || BigInt(fenceKey.create_revision) !== fence.createRevision) {
      throw new Error('this broker lost its registration in etcd: producer ids cannot be reserved now');
    }
  }
}
