// One record through @platformatic/kafka with the connection options a test gives (tls, sasl): produced to a new
// topic, then read back from the earliest offset by a group consumer. Test helper.
import './promise-with-resolvers.js';
import { Consumer, type ConsumerOptions, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';

/** What @platformatic/kafka's clients take for TLS and SASL. */
export type ConnectionOptions = Pick<ConsumerOptions<string, string, string, string>, 'tls' | 'sasl'>;

/** Produces `value` to `topic` and reads it back; resolves with the offset it was given and the value read. */
export async function platformaticRoundTrip(
  bootstrap: string,
  topic: string,
  value: string,
  options: ConnectionOptions,
): Promise<{ offset: bigint; read: string | undefined }> {
  const producer = new Producer({ clientId: 'fjord-test', bootstrapBrokers: [bootstrap], serializers: stringSerializers, autocreateTopics: true, ...options });
  const result = await producer.send({ messages: [{ topic, key: 'k', value }] });
  await producer.close();
  const consumer = new Consumer({
    clientId: 'fjord-test',
    groupId: `${topic}-reader`,
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    ...options,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let read: string | undefined;
  for await (const message of stream) {
    read = message.value;
    break;
  }
  await stream.close();
  await consumer.close();
  return { offset: result.offsets![0]!.offset, read };
}
