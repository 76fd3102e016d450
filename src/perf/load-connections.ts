// The pipelined connections a load runs over: N plain KafkaConnections (src/client) to one broker, each
// allowed IN_FLIGHT_LIMIT requests in flight, optionally reporting every request to an observer (the CLI's
// meter). Opened by `fjord perf` and by the benchmarks. Runs on the caller's main thread.
import { IN_FLIGHT_LIMIT, KafkaConnection, type ConnectionObserver } from '../client/kafka-connection.js';

/** The client id of every load request (templates are encoded once, before any connection exists). */
export const LOAD_CLIENT_ID = 'fjord-perf';

/** Opens `count` connections to host:port; on a failure closes those already open and rethrows. */
export async function openLoadConnections(host: string, port: number, count: number, observer: ConnectionObserver | null = null): Promise<KafkaConnection[]> {
  const connections: KafkaConnection[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const connection = await KafkaConnection.open(host, port, { clientId: LOAD_CLIENT_ID, inFlightMax: IN_FLIGHT_LIMIT });
      connection.observe(observer);
      connections.push(connection);
    }
  } catch (error) {
    closeLoadConnections(connections);
    throw error;
  }
  return connections;
}

export function closeLoadConnections(connections: readonly KafkaConnection[]): void {
  for (const connection of connections) connection.destroy();
}
