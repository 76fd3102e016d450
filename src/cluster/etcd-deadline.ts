// Bounded waits on etcd while a broker joins or leaves its cluster: a call retried until a deadline, or one
// attempt raced against it, failing with one line that names the endpoints and the keys to check (what start-up
// prints). Main thread.
import { isTlsEndpoint } from './etcd-keys.js';
import { ETCD_SSL_CA_LOCATION_KEY, ETCD_SSL_CERTIFICATE_LOCATION_KEY, ETCD_SSL_KEY_LOCATION_KEY } from './etcd-tls.js';
import { ClusterJoinError } from './membership.js';

/** The keys a TLS handshake with etcd depends on, named when one fails. */
const ETCD_TLS_KEYS = [ETCD_SSL_CA_LOCATION_KEY, ETCD_SSL_CERTIFICATE_LOCATION_KEY, ETCD_SSL_KEY_LOCATION_KEY];

export interface EtcdDeadline {
  endpoints: string[];
  /** How long a join or leave step may wait for etcd. */
  connectTimeoutMs: number;
}

/** Pause between attempts while etcd does not answer. */
export const ETCD_RETRY_MS = 500;

/** Calls `attempt` until it succeeds; a ClusterJoinError ends at once, other errors (etcd out of reach) are retried until connectTimeoutMs. */
export async function retryUntil<T>(options: EtcdDeadline, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.connectTimeoutMs;
  // What the last refused connection said (a TLS handshake's reason, say): the etcd3 client then stops trying an
  // endpoint that failed three times for a while, and says only that its circuit breaker is open.
  let reason: Error | null = null;
  for (;;) {
    try {
      return await raceTimeout(attempt(), deadline - Date.now(), 'etcd did not answer in time');
    } catch (error) {
      if (!isBrokenCircuit(error) || reason === null) reason = error as Error;
      if (error instanceof ClusterJoinError || Date.now() + ETCD_RETRY_MS >= deadline) throw unreachable(options, reason);
      await new Promise((resolve) => setTimeout(resolve, ETCD_RETRY_MS));
    }
  }
}

/** The refusal of cockatiel's circuit breaker (inside the etcd3 client), which it marks so. */
function isBrokenCircuit(error: unknown): boolean {
  return (error as { isBrokenCircuitError?: boolean }).isBrokenCircuitError === true;
}

/** Runs `work`; if it fails, or takes longer than connectTimeoutMs, fails with a one-line ClusterJoinError naming the endpoints. */
export async function withinTimeout<T>(options: EtcdDeadline, what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await raceTimeout(work(), options.connectTimeoutMs, `etcd did not ${what} in time`);
  } catch (error) {
    throw unreachable(options, error as Error);
  }
}

async function raceTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(timeoutMs, 0));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function unreachable(options: EtcdDeadline, error: Error): ClusterJoinError {
  if (error instanceof ClusterJoinError) return error;
  const reason = (error.message.split('\n')[0] ?? '').trim();
  const tlsKeys = options.endpoints.every(isTlsEndpoint) && /SSL|TLS|certificate/i.test(reason) ? `; TLS: ${ETCD_TLS_KEYS.join(', ')}` : '';
  return new ClusterJoinError(
    `cannot reach etcd at ${options.endpoints.join(', ')} within ${options.connectTimeoutMs} ms (fjord.etcd.endpoints, fjord.etcd.connect.timeout.ms${tlsKeys}): ${reason}`,
  );
}
