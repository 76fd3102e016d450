// Canonical base64 decoding (RFC 4648 §4: padded, no whitespace, zero trailing bits) for SCRAM attributes and
// stored credentials. Main thread. Buffer.from(text, 'base64') alone skips bad characters silently.

/** The bytes of `text`, or undefined if it is not canonical base64 (it would not encode back to itself). */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
