// Test helper: one TCP connection that encodes requests and decodes responses with Kafka's JSON schemas
// (kafka-json-codec.ts), never with Fjord's codec. Answers are matched to requests by correlation id, in
// order. Runs in the test process.
import { connect, type Socket } from 'node:net';
import { decodeResponseFrame, encodeRequestFrame, kafkaApis, type KafkaApiSchemas, type Value } from './kafka-json-codec.js';

export class SchemaConnection {
  private buffered = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (frame: Buffer) => void; reject: (error: Error) => void }> = [];
  private correlationId = 0;
  /** The broker closed the connection (as it does for an unknown API or a version its codec cannot read). */
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the broker closed the connection'));
    });
    socket.on('error', () => {});
  }

  static async open(host: string, port: number): Promise<SchemaConnection> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new SchemaConnection(socket);
  }

  /** Sends one request of `apiKey` at `version` encoded from Kafka's schema and decodes the answer the same way. */
  async call(apiKey: number, version: number, body: Value): Promise<Value> {
    const [answer] = await this.pipeline([{ apiKey, version, body }]);
    return answer!;
  }

  /** Writes every request in ONE socket write, then reads their answers in order. */
  async pipeline(requests: Array<{ apiKey: number; version: number; body: Value }>): Promise<Value[]> {
    if (this.closed) throw new Error('the connection is closed');
    const sent = requests.map(({ apiKey, version, body }) => {
      const api = schemasOf(apiKey);
      const correlationId = ++this.correlationId;
      const frame = new Promise<Buffer>((resolve, reject) => this.waiting.push({ resolve, reject }));
      return { api, version, correlationId, frame, bytes: encodeRequestFrame(api, version, correlationId, body) };
    });
    this.socket.write(Buffer.concat(sent.map((s) => s.bytes)));
    const answers: Value[] = [];
    for (const { api, version, correlationId, frame } of sent) {
      const decoded = decodeResponseFrame(api, version, await frame);
      if (decoded.correlationId !== correlationId)
        throw new Error(`${api.name} v${version}: answer has correlation id ${decoded.correlationId}, expected ${correlationId}`);
      answers.push(decoded.body);
    }
    return answers;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
      const size = this.buffered.readInt32BE(0);
      const waiter = this.waiting.shift();
      if (waiter === undefined) throw new Error('an answer arrived that no request is waiting for');
      waiter.resolve(Buffer.from(this.buffered.subarray(4, 4 + size)));
      this.buffered = this.buffered.subarray(4 + size);
    }
  }
}

export function schemasOf(apiKey: number): KafkaApiSchemas {
  const api = kafkaApis().get(apiKey);
  if (api === undefined) throw new Error(`Kafka has no API ${apiKey}`);
  return api;
}
