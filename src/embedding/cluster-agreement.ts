// Waits until a cluster's running brokers agree on who is in it: each one's Metadata lists exactly the given
// node ids and names one controller among them. startCluster() waits for this after starting or stopping a
// broker, so a test's next step (a topic with RF 3, a leader to stop) sees the cluster it asked for. Polls real
// answers over the Kafka protocol up to a deadline. Runs on the caller's main thread.
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClient } from '../client/kafka-client.js';

/** How often Metadata is asked again while the brokers do not agree yet. */
const AGREEMENT_POLL_MS = 50;

/** Resolves once every address in `bootstrapServers` answers Metadata with exactly `nodeIds` and one controller among them. */
export async function waitForAgreement(bootstrapServers: readonly string[], nodeIds: readonly number[], timeoutMs: number): Promise<void> {
  const wanted = [...nodeIds].sort((a, b) => a - b).join(',');
  const clients = bootstrapServers.map((server) => new KafkaClient({ bootstrapServers: [server], clientId: 'fjord-start-cluster' }));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  try {
    for (;;) {
      const views = await Promise.all(clients.map(viewOf));
      const controllerId = views[0]?.controllerId ?? -1;
      if (views.every((v) => v.brokers === wanted && v.controllerId === controllerId) && nodeIds.includes(controllerId)) return;
      last = views.map((v) => v.text).join('; ');
      if (Date.now() > deadline) {
        throw new Error(
          `the cluster's brokers did not agree on brokers [${wanted}] and a controller among them within ${timeoutMs} ms (last answers: ${last})`,
        );
      }
      await sleep(AGREEMENT_POLL_MS);
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

interface View {
  /** The node ids it lists, sorted, comma-separated; null when it did not answer. */
  brokers: string | null;
  controllerId: number;
  /** For the timeout's message. */
  text: string;
}

/** One broker's Metadata answer, or what went wrong asking it. */
async function viewOf(client: KafkaClient): Promise<View> {
  const asked = client.options.bootstrapServers[0];
  try {
    const metadata = await client.metadata([]);
    const brokers = [...metadata.brokers.keys()].sort((a, b) => a - b).join(',');
    return { brokers, controllerId: metadata.controllerId, text: `${asked}: brokers [${brokers}] controller ${metadata.controllerId}` };
  } catch (error) {
    return { brokers: null, controllerId: -1, text: `${asked}: ${(error as Error).message}` };
  }
}
