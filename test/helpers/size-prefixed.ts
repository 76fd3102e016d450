// Test helper: a byte stream of size-prefixed frames (int32 size, then the bytes), as Kafka and the replication
// protocol put them on the wire.
export function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(
    payloads.flatMap((p) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(p.length);
      return [size, p];
    }),
  );
}
