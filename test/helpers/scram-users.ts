// Creates a SCRAM user on a running broker through AlterUserScramCredentials (Fjord's client, src/client/scram-users.ts),
// over a listener that needs no authentication. Test helper.
import { KafkaClient } from '../../src/client/kafka-client.js';
import { upsertScramUser } from '../../src/client/scram-users.js';
import type { ScramMechanism } from '../../src/security/scram-credentials.js';

export async function createScramUser(bootstrap: string, user: string, mechanism: ScramMechanism, password: string): Promise<void> {
  const client = new KafkaClient({ bootstrapServers: [bootstrap], clientId: 'fjord-test-users' });
  try {
    await upsertScramUser(client, user, mechanism, Buffer.from(password, 'utf8'));
  } finally {
    await client.close();
  }
}
