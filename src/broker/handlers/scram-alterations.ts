// What an AlterUserScramCredentials request asks of each user, checked before anything is written (Kafka's rules,
// as its ZooKeeper-era AdminManager applied them): a user any of whose changes is refused gets that one error and
// none of its changes. Pure: the handler applies the plans. Main thread.
import { SASL_USERNAME_BYTES_MAX, SCRAM_ITERATIONS_MAX, SCRAM_ITERATIONS_MIN } from '../../security/sasl-limits.js';
import { type ScramCredential, type ScramMechanism, scramCredentialFromSaltedPassword, scramMechanismOfType } from '../../security/scram-credentials.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import type { ErrorFields } from './admin-results.js';

export interface ScramDeletion {
  name: string;
  mechanism: number;
}

export interface ScramUpsertion extends ScramDeletion {
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}

/** One user's changes, removals before upserts; or the error the whole user is answered with. */
export type UserAlteration = { user: string; error: ErrorFields } | { user: string; error: null; removals: ScramMechanism[]; upserts: ScramCredential[] };

const refusal = (errorCode: number, errorMessage: string): ErrorFields => ({ errorCode, errorMessage });

/** Why a name or mechanism number cannot be altered, or the mechanism. */
function checkNamed(change: ScramDeletion): ErrorFields | ScramMechanism {
  if (change.name === '') return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
  if (Buffer.byteLength(change.name, 'utf8') > SASL_USERNAME_BYTES_MAX) {
    return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, `Username longer than ${SASL_USERNAME_BYTES_MAX} bytes`);
  }
  return scramMechanismOfType(change.mechanism) ?? refusal(ErrorCode.UNSUPPORTED_SASL_MECHANISM, `Unknown SCRAM mechanism ${change.mechanism}`);
}

/** The credential an upsertion makes (storedKey and serverKey derived from its SaltedPassword), or why not. */
function credentialOf(upsertion: ScramUpsertion): ErrorFields | ScramCredential {
  const mechanism = checkNamed(upsertion);
  if (typeof mechanism !== 'string') return mechanism;
  if (upsertion.iterations < SCRAM_ITERATIONS_MIN) return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
  if (upsertion.iterations > SCRAM_ITERATIONS_MAX) return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
  try {
    return scramCredentialFromSaltedPassword(mechanism, upsertion.saltedPassword, upsertion.salt, upsertion.iterations);
  } catch (error) {
    return refusal(ErrorCode.UNACCEPTABLE_CREDENTIAL, (error as Error).message);
  }
}

/**
 * Each user of the request, in order of first mention: its first invalid change's error (empty or overlong name,
 * unknown mechanism, iterations outside 4096–16384, a salt or SaltedPassword that does not fit), else
 * DUPLICATE_RESOURCE when one mechanism of it is named twice (deletions and upsertions together), else
 * RESOURCE_NOT_FOUND when a deletion names a credential `exists` says is not there, else its changes.
 */
export function planScramAlterations(
  deletions: readonly ScramDeletion[],
  upsertions: readonly ScramUpsertion[],
  exists: (user: string, mechanism: ScramMechanism) => boolean,
): UserAlteration[] {
  const plans = new Map<string, { error: ErrorFields | null; removals: ScramMechanism[]; upserts: ScramCredential[] }>();
  const planOf = (user: string) => plans.get(user) ?? plans.set(user, { error: null, removals: [], upserts: [] }).get(user)!;
  for (const deletion of deletions) {
    const plan = planOf(deletion.name);
    const mechanism = checkNamed(deletion);
    if (typeof mechanism !== 'string') plan.error ??= mechanism;
    else plan.removals.push(mechanism);
  }
  for (const upsertion of upsertions) {
    const plan = planOf(upsertion.name);
    const credential = credentialOf(upsertion);
    if ('errorCode' in credential) plan.error ??= credential;
    else plan.upserts.push(credential);
  }
  return [...plans].map(([user, plan]) => {
    const error = plan.error ?? conflictOf(user, plan.removals, plan.upserts, exists);
    return error === null ? { user, error, removals: plan.removals, upserts: plan.upserts } : { user, error };
  });
}

function conflictOf(
  user: string,
  removals: readonly ScramMechanism[],
  upserts: readonly ScramCredential[],
  exists: (user: string, mechanism: ScramMechanism) => boolean,
): ErrorFields | null {
  const named = [...removals, ...upserts.map((c) => c.mechanism)];
  if (new Set(named).size !== named.length) return refusal(ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
  if (removals.some((mechanism) => !exists(user, mechanism)))
    return refusal(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
  return null;
}
