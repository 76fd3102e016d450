// The SCRAM message grammar (RFC 5802 §7): parsing the client's two messages and writing the server's two.
// Main thread. Every parse failure is a SaslError; nothing here knows a credential.
//
//   client-first  = gs2-header client-first-bare        gs2-header = ("n" | "y" | "p=" cb-name) "," [a=authzid] ","
//   client-first-bare = n=saslname,r=c-nonce[,ext...]   (a leading m= is a reserved extension: refused)
//   server-first  = r=c-nonce s-nonce,s=base64(salt),i=iterations
//   client-final  = c=base64(gs2-header),r=nonce[,ext...],p=base64(ClientProof)
//   server-final  = v=base64(ServerSignature)
// saslname escapes ',' as '=2C' and '=' as '=3D'; any other '=' is an error. Nonces are printable ASCII but ','.
import { SaslError } from './sasl-error.js';
import { SASL_USERNAME_BYTES_MAX, SCRAM_CLIENT_NONCE_CHARS_MAX } from './sasl-limits.js';
import { strictBase64 } from './sasl-token.js';

export interface ClientFirst {
  /** As sent, commas included ('n,,'): the client-final's c= must be its base64. */
  gs2Header: string;
  user: string;
  clientNonce: string;
  /** client-first-bare as sent: the first part of the AuthMessage. */
  bare: string;
}

export interface ClientFinal {
  channelBinding: Buffer;
  nonce: string;
  proof: Buffer;
  /** client-final-without-proof as sent: the last part of the AuthMessage. */
  withoutProof: string;
}

const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

function malformed(message: string): SaslError {
  return new SaslError('malformed', message);
}

/** The value of attribute `name` in `part` ('n=alice' → 'alice'), or a SaslError. */
function attribute(part: string | undefined, name: string, where: string): string {
  if (part === undefined || !part.startsWith(`${name}=`)) throw malformed(`${where}: expected attribute '${name}='`);
  return part.slice(name.length + 1);
}

/** A saslname unescaped; refuses other '=' sequences, empty names and names over SASL_USERNAME_BYTES_MAX. */
export function unescapeSaslName(escaped: string): string {
  if (/=(?!2C|3D)/.test(escaped)) throw malformed("user name: '=' must be escaped as '=3D' (and ',' as '=2C')");
  const name = escaped.replaceAll('=2C', ',').replaceAll('=3D', '=');
  if (name.length === 0) throw malformed('user name is empty');
  if (Buffer.byteLength(name, 'utf8') > SASL_USERNAME_BYTES_MAX) throw malformed(`user name exceeds ${SASL_USERNAME_BYTES_MAX} bytes`);
  return name;
}

export function escapeSaslName(name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C');
}

function checkGs2Flag(flag: string): void {
  if (flag === 'n' || flag === 'y') return; // 'y': the client could bind, thinks we cannot; we offer no -PLUS
  if (flag.startsWith('p=')) throw new SaslError('unsupported-feature', 'SCRAM channel binding is not supported');
  throw malformed(`client-first: bad GS2 channel binding flag`);
}

/** Refuses any attributes left after the required ones (Kafka's tokenauth included: no delegation tokens). */
function refuseExtensions(parts: readonly string[], where: string): void {
  if (parts.length === 0) return;
  if (parts.some((part) => part.startsWith('tokenauth='))) {
    throw new SaslError('unsupported-feature', 'SCRAM delegation token authentication (tokenauth) is not supported');
  }
  throw new SaslError('unsupported-feature', `${where}: SCRAM extensions are not supported`);
}

function checkNonce(nonce: string, where: string): void {
  if (!NONCE.test(nonce)) throw malformed(`${where}: nonce must be printable ASCII without ','`);
}

export function parseClientFirst(text: string): ClientFirst {
  const parts = text.split(',');
  if (parts.length < 4) throw malformed('client-first: too few attributes');
  const [flag, authzid, first, second, ...rest] = parts as [string, string, string, string, ...string[]];
  checkGs2Flag(flag);
  if (first.startsWith('m=')) throw new SaslError('unsupported-feature', 'client-first: reserved extension m= is not supported');
  const user = unescapeSaslName(attribute(first, 'n', 'client-first'));
  if (authzid !== '' && unescapeSaslName(attribute(authzid, 'a', 'client-first')) !== user) {
    throw new SaslError('unsupported-feature', 'client-first: the authorization id must be empty or the user name');
  }
  const clientNonce = attribute(second, 'r', 'client-first');
  checkNonce(clientNonce, 'client-first');
  if (clientNonce.length > SCRAM_CLIENT_NONCE_CHARS_MAX) throw malformed(`client-first: nonce exceeds ${SCRAM_CLIENT_NONCE_CHARS_MAX} characters`);
  refuseExtensions(rest, 'client-first');
  return { gs2Header: `${flag},${authzid},`, user, clientNonce, bare: parts.slice(2).join(',') };
}

/** `proofBytes`: the mechanism's hash length; a proof of another length is malformed. */
export function parseClientFinal(text: string, proofBytes: number): ClientFinal {
  const parts = text.split(',');
  if (parts.length < 3) throw malformed('client-final: too few attributes');
  const channelBinding = strictBase64(attribute(parts[0], 'c', 'client-final'), 'client-final c=');
  const nonce = attribute(parts[1], 'r', 'client-final');
  checkNonce(nonce, 'client-final');
  const proof = strictBase64(attribute(parts.at(-1), 'p', 'client-final'), 'client-final p=');
  if (proof.length !== proofBytes) throw malformed(`client-final: proof of ${proof.length} bytes, expected ${proofBytes}`);
  refuseExtensions(parts.slice(2, -1), 'client-final');
  return { channelBinding, nonce, proof, withoutProof: parts.slice(0, -1).join(',') };
}

export function serverFirstMessage(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export function serverFinalMessage(serverSignature: Buffer): string {
  return `v=${serverSignature.toString('base64')}`;
}
