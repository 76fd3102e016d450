// The server side of one SCRAM-SHA-256 / SCRAM-SHA-512 exchange (RFC 5802, RFC 7677) as a state machine:
// client-first → server-first, client-final → server-final. Main thread.
// An unknown user is answered with a stand-in salt and iterations and fails at the proof, exactly as a wrong
// password does. Any failure ends the exchange; every failure is a SaslError whose message holds no secret.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidCredentials, SaslError } from './sasl-error.js';
import { SCRAM_SERVER_NONCE_BYTES } from './sasl-limits.js';
import type { CredentialLookup, SaslMechanism, SaslStep } from './sasl-mechanism.js';
import { checkTokenSize, utf8Text } from './sasl-token.js';
import { type ScramCredential, type ScramMechanism, scramHash, scramHashBytes, scramHmac } from './scram-credentials.js';
import { type ClientFirst, parseClientFinal, parseClientFirst, serverFinalMessage, serverFirstMessage } from './scram-messages.js';
import { StandInCredentials } from './stand-in-credentials.js';

export interface ScramServerOptions {
  /** The server's part of the nonce (printable ASCII but ','); default SCRAM_SERVER_NONCE_BYTES random, base64. */
  serverNonce?: () => string;
  /** Where unknown users' credentials come from; default stand-ins keyed per process. */
  standIns?: StandInCredentials;
}

type State =
  | { phase: 'client-first' }
  | { phase: 'client-final'; first: ClientFirst; credential: ScramCredential; known: boolean; nonce: string; serverFirst: string }
  | { phase: 'ended' };

const defaultStandIns = new StandInCredentials();
const randomNonce = (): string => randomBytes(SCRAM_SERVER_NONCE_BYTES).toString('base64');

export class ScramServer implements SaslMechanism {
  private state: State = { phase: 'client-first' };

  constructor(
    readonly name: ScramMechanism,
    private readonly credentials: CredentialLookup,
    private readonly options: ScramServerOptions = {},
  ) {}

  step(clientBytes: Buffer): SaslStep {
    const state = this.state;
    this.state = { phase: 'ended' }; // a failure below ends the exchange; success sets the next phase
    if (state.phase === 'ended') throw new SaslError('illegal-state', `${this.name}: the exchange has ended`);
    checkTokenSize(clientBytes, this.name);
    const text = utf8Text(clientBytes, `${this.name} message`);
    if (text.includes('\0')) throw new SaslError('malformed', `${this.name} message contains NUL`);
    return state.phase === 'client-first' ? this.answerFirst(text) : this.answerFinal(text, state);
  }

  private answerFirst(text: string): SaslStep {
    const first = parseClientFirst(text);
    const found = this.credentials.scram(first.user, this.name);
    const known = found !== undefined && found.mechanism === this.name;
    const credential = known ? found : (this.options.standIns ?? defaultStandIns).for(first.user, this.name);
    const nonce = first.clientNonce + (this.options.serverNonce ?? randomNonce)();
    const serverFirst = serverFirstMessage(nonce, credential.salt, credential.iterations);
    this.state = { phase: 'client-final', first, credential, known, nonce, serverFirst };
    return { response: Buffer.from(serverFirst, 'utf8'), done: false };
  }

  private answerFinal(text: string, state: Extract<State, { phase: 'client-final' }>): SaslStep {
    const { first, credential, nonce } = state;
    const final = parseClientFinal(text, scramHashBytes(this.name));
    if (!final.channelBinding.equals(Buffer.from(first.gs2Header, 'utf8'))) {
      throw new SaslError('malformed', 'client-final: channel binding c= does not match the client-first GS2 header');
    }
    // Kafka accepts a final nonce that ends with the exchange's: librdkafka up to 2.x sends its own nonce again in
    // front of it (r=<client nonce><client nonce><server nonce>), and the proof covers what it sent.
    if (!final.nonce.endsWith(nonce)) throw new SaslError('malformed', 'client-final: nonce does not match the exchange');
    const authMessage = `${first.bare},${state.serverFirst},${final.withoutProof}`;
    if (!proofHolds(credential, authMessage, final.proof) || !state.known) throw invalidCredentials(this.name);
    const serverSignature = scramHmac(this.name, credential.serverKey, authMessage);
    return { response: Buffer.from(serverFinalMessage(serverSignature), 'utf8'), done: true, principal: first.user };
  }
}

/** ClientKey = proof XOR HMAC(StoredKey, AuthMessage); the proof holds if H(ClientKey) = StoredKey (constant time). */
function proofHolds(credential: ScramCredential, authMessage: string, proof: Buffer): boolean {
  const clientSignature = scramHmac(credential.mechanism, credential.storedKey, authMessage);
  const clientKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
  return timingSafeEqual(scramHash(credential.mechanism, clientKey), credential.storedKey);
}
