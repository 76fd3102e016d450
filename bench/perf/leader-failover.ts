// The failover part of the cluster bench: on a running cluster, a topic of replicated partitions and an
// acks=all probe on partition 0 (acks-all-probe.ts); then, kill after kill, SIGKILL of the broker leading
// partition 0, the time from the kill to the first acknowledged acks=all send started after it (and, to tell
// what the time went to, to the first Metadata naming another leader), the killed broker started again on its
// log dir, and every ISR full again before the next kill. Runs on the bench's main
// thread; the brokers are child processes.
import type { KafkaClient } from '../../src/client/kafka-client.js';
import { createLoadTopic } from '../../src/perf/load-topic.js';
import { AcksAllProbe } from './acks-all-probe.js';
import { type LocalCluster, waitFor } from './local-cluster.js';

export interface FailoverWorkload {
  kills: number;
  partitions: number;
  replicationFactor: number;
  /** How long one failover may take before the run fails (well past any session timeout measured). */
  failoverTimeoutMs: number;
}

export interface FailoverRun {
  /** Kill to the first acknowledged acks=all send started after it, one per kill, in ms. */
  failoverMs: number[];
  /** Kill to the first Metadata answer naming another live leader of the partition, one per kill, in ms (polled every 100 ms). */
  newLeaderMs: number[];
  /** Restart of the killed broker to every ISR full again, one per kill, in ms. */
  rejoinMs: number[];
  /** Sends the probe saw fail over the whole run. */
  failedSends: number;
}

const PROBED_PARTITION = 0;
/** Acknowledged sends the probe must see before a kill: the cluster serves acks=all on the probed partition. */
const STEADY_ACKS = 3;
const STEADY_TIMEOUT_MS = 30_000;

/** performance.now() when a Metadata answer names a leader of the probed partition other than `killed`, else null. */
async function newLeader(client: KafkaClient, topic: string, killed: number): Promise<number | null> {
  const partition = (await client.metadata([topic])).topics.get(topic)?.partitions.find((p) => p.partition === PROBED_PARTITION);
  return partition !== undefined && partition.leader >= 0 && partition.leader !== killed ? performance.now() : null;
}

export async function measureFailovers(cluster: LocalCluster, topic: string, workload: FailoverWorkload): Promise<FailoverRun> {
  await cluster.withClient((client) => createLoadTopic(client, topic, workload.partitions, workload.replicationFactor));
  await cluster.waitForFullIsr(topic, workload.replicationFactor);
  const probe = new AcksAllProbe(() => cluster.bootstrap(), topic, PROBED_PARTITION);
  const result: FailoverRun = { failoverMs: [], newLeaderMs: [], rejoinMs: [], failedSends: 0 };
  try {
    for (let kill = 0; kill < workload.kills; kill++) {
      for (let i = 0; i < STEADY_ACKS; i++) await probe.firstAckAfter(performance.now(), STEADY_TIMEOUT_MS);
      const partitions = await cluster.waitForFullIsr(topic, workload.replicationFactor);
      const leader = partitions.find((p) => p.partition === PROBED_PARTITION)!.leader;
      const killedAtMs = performance.now();
      const acked = probe.firstAckAfter(killedAtMs, workload.failoverTimeoutMs);
      // Awaited below; handled now so a failure before then (the kill, the Metadata wait) leaves no unhandled rejection.
      acked.catch(() => {});
      await cluster.killBroker(leader);
      const newLeaderMs = await waitFor('another leader in Metadata', () => cluster.withClient((c) => newLeader(c, topic, leader)), workload.failoverTimeoutMs);
      result.newLeaderMs.push(newLeaderMs - killedAtMs);
      result.failoverMs.push((await acked) - killedAtMs);
      const restartedAtMs = performance.now();
      await cluster.startBroker(leader);
      await cluster.waitForFullIsr(topic, workload.replicationFactor);
      result.rejoinMs.push(performance.now() - restartedAtMs);
    }
  } finally {
    await probe.stop();
    result.failedSends = probe.failures;
  }
  return result;
}
