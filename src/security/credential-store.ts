// The SCRAM credentials a broker authenticates against, as a store: a synchronous lookup from memory for the SASL
// mechanisms, the users listed for DescribeUserScramCredentials, and the changes AlterUserScramCredentials and
// `fjord users` make (each written first, applied once written: a failed write leaves the store as it was).
// Interface only: a standalone broker's store is a file in its metadata dir, a cluster's lives in etcd. Main thread.
import type { CredentialLookup } from './sasl-mechanism.js';
import type { ScramCredential, ScramMechanism } from './scram-credentials.js';

/** What may be told about a user's credential: never its salt or keys. */
export interface ScramCredentialInfo {
  mechanism: ScramMechanism;
  iterations: number;
}

export interface ScramCredentialStore extends CredentialLookup {
  /** Every user with at least one credential, with the mechanism and iterations of each, users in name order. */
  users(): Map<string, ScramCredentialInfo[]>;
  /** Adds or replaces `user`'s credential for `credential.mechanism`; resolves once written and applied. */
  upsert(user: string, credential: ScramCredential): Promise<void>;
  /** Removes `user`'s credential for `mechanism`; resolves false when there was none (nothing written). */
  remove(user: string, mechanism: ScramMechanism): Promise<boolean>;
}
