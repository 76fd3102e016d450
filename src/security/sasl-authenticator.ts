// One connection's SASL authentication: SaslHandshake picks a mechanism (start), each SaslAuthenticate token goes
// to it (step) until it is done. Main thread. Throws only SaslError, which carries the Kafka error code to answer.
import { PlainServer } from './sasl-plain.js';
import { SaslError } from './sasl-error.js';
import { type CredentialLookup, SASL_MECHANISM_NAMES, type SaslMechanism, type SaslMechanismName, type SaslStep } from './sasl-mechanism.js';
import { ScramServer, type ScramServerOptions } from './scram-server.js';
import { StandInCredentials } from './stand-in-credentials.js';

export interface SaslAuthenticatorOptions extends ScramServerOptions {
  /** What SaslHandshake may pick (Kafka's sasl.enabled.mechanisms); default all of SASL_MECHANISM_NAMES. */
  enabledMechanisms?: readonly SaslMechanismName[];
}

/** A new exchange of mechanism `name`. */
export function createSaslMechanism(name: SaslMechanismName, credentials: CredentialLookup, options: ScramServerOptions = {}): SaslMechanism {
  if (name === 'PLAIN') return new PlainServer(credentials, options.standIns ?? new StandInCredentials());
  return new ScramServer(name, credentials, options);
}

export class SaslAuthenticator {
  private current: SaslMechanism | undefined;
  private inProgress = false;
  private failed = false;
  /** The user of the last exchange that succeeded (a new start clears it: KIP-368 re-authentication). */
  principal: string | undefined;

  constructor(
    private readonly credentials: CredentialLookup,
    private readonly options: SaslAuthenticatorOptions = {},
  ) {}

  /** The names a SaslHandshake response lists. */
  get mechanisms(): readonly SaslMechanismName[] {
    return this.options.enabledMechanisms ?? SASL_MECHANISM_NAMES;
  }

  /** SaslHandshake: begins an exchange. UNSUPPORTED_SASL_MECHANISM if not enabled; ILLEGAL_SASL_STATE mid-exchange. */
  start(mechanismName: string): void {
    if (this.inProgress || this.failed) throw new SaslError('illegal-state', 'SaslHandshake: an authentication is in progress or has failed');
    const name = this.mechanisms.find((enabled) => enabled === mechanismName);
    if (name === undefined) {
      throw new SaslError(
        'unsupported-mechanism',
        `Unsupported SASL mechanism ${JSON.stringify(mechanismName.slice(0, 64))}; enabled: ${this.mechanisms.join(', ')}`,
      );
    }
    this.current = createSaslMechanism(name, this.credentials, this.options);
    this.inProgress = true;
    this.principal = undefined;
  }

  /** SaslAuthenticate: one client token. ILLEGAL_SASL_STATE without a started exchange; any failure is final. */
  step(clientBytes: Buffer): SaslStep {
    if (!this.inProgress || this.current === undefined) throw new SaslError('illegal-state', 'SaslAuthenticate: no SASL exchange in progress');
    try {
      const answer = this.current.step(clientBytes);
      if (answer.done) {
        this.inProgress = false;
        this.principal = answer.principal;
      }
      return answer;
    } catch (error) {
      this.inProgress = false;
      this.failed = true;
      throw error;
    }
  }
}
