// AlterUserScramCredentials: users' SCRAM credentials removed and upserted in ctx.credentials (a file standalone,
// etcd in a cluster), each user checked first (scram-alterations.ts) and answered once: its first refusal, the
// store's error (KAFKA_STORAGE_ERROR, REQUEST_TIMED_OUT), or success. Runs on the main thread.
import type { ScramCredentialStore } from '../../security/credential-store.js';
import { ErrorCode, KafkaError } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import { attempt, fieldsOf } from './admin-results.js';
import { planScramAlterations, type UserAlteration } from './scram-alterations.js';

/** One user's changes, one write each in order; a removal that finds nothing (a concurrent delete) is RESOURCE_NOT_FOUND. */
async function apply(credentials: ScramCredentialStore, alteration: Extract<UserAlteration, { error: null }>): Promise<void> {
  for (const mechanism of alteration.removals) {
    if (!(await credentials.remove(alteration.user, mechanism))) {
      throw new KafkaError(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist');
    }
  }
  for (const credential of alteration.upserts) await credentials.upsert(alteration.user, credential);
}

export const alterUserScramCredentialsHandler = defineHandler({
  apiKey: 51,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const { credentials } = ctx;
    const { deletions, upsertions } = request.body;
    const plans = planScramAlterations(deletions, upsertions, (user, mechanism) => credentials.scram(user, mechanism) !== undefined);
    const results = [];
    for (const plan of plans) {
      const outcome = plan.error === null ? fieldsOf(await attempt(() => apply(credentials, plan))) : plan.error;
      if (outcome.errorCode === ErrorCode.KAFKA_STORAGE_ERROR || outcome.errorCode === ErrorCode.REQUEST_TIMED_OUT) {
        ctx.logger.warn({ user: plan.user, err: outcome.errorMessage }, 'SCRAM credential change failed');
      }
      results.push({ user: plan.user, ...outcome });
    }
    return { throttleTimeMs: 0, results };
  },
});
