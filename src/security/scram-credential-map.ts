// The in-memory side of a ScramCredentialStore: user → mechanism → credential, the synchronous lookup SASL
// mechanisms call and the user listing DescribeUserScramCredentials answers from. Both stores (file, etcd) keep
// one and change it only after their write is durable. Main thread.
import type { ScramCredentialInfo } from './credential-store.js';
import type { ScramCredential, ScramMechanism } from './scram-credentials.js';

export class ScramCredentialMap {
  private readonly byUser = new Map<string, Map<ScramMechanism, ScramCredential>>();

  scram(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.byUser.get(user)?.get(mechanism);
  }

  set(user: string, credential: ScramCredential): void {
    const mechanisms = this.byUser.get(user) ?? new Map<ScramMechanism, ScramCredential>();
    mechanisms.set(credential.mechanism, credential);
    this.byUser.set(user, mechanisms);
  }

  /** False when `user` had no credential for `mechanism`. */
  delete(user: string, mechanism: ScramMechanism): boolean {
    const mechanisms = this.byUser.get(user);
    if (mechanisms === undefined || !mechanisms.delete(mechanism)) return false;
    if (mechanisms.size === 0) this.byUser.delete(user);
    return true;
  }

  clear(): void {
    this.byUser.clear();
  }

  /** Every user in name order, each with its mechanisms in name order (never a salt or key). */
  users(): Map<string, ScramCredentialInfo[]> {
    const users = new Map<string, ScramCredentialInfo[]>();
    for (const [user, credential] of this.entries()) {
      users.set(user, [...(users.get(user) ?? []), { mechanism: credential.mechanism, iterations: credential.iterations }]);
    }
    return users;
  }

  /** Every credential, by user name, then mechanism name. */
  *entries(): IterableIterator<[string, ScramCredential]> {
    for (const user of [...this.byUser.keys()].sort()) {
      const credentials = [...this.byUser.get(user)!.values()].sort((a, b) => (a.mechanism < b.mechanism ? -1 : 1));
      for (const credential of credentials) yield [user, credential];
    }
  }
}
