// DescribeUserScramCredentials: each user's SCRAM mechanisms and iteration counts from ctx.credentials (never a
// salt or key). No users named: every user. As Kafka's ScramImage.describe: a named user without credentials is
// RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE (answered once). Runs on the main thread.
import type { ScramCredentialInfo } from '../../security/credential-store.js';
import { scramMechanismType } from '../../security/scram-credentials.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import { repeatedNames } from './admin-results.js';

function described(user: string, infos: readonly ScramCredentialInfo[]) {
  const credentialInfos = infos.map(({ mechanism, iterations }) => ({ mechanism: scramMechanismType(mechanism), iterations }));
  return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
}

function refused(user: string, errorCode: number, errorMessage: string) {
  return { user, errorCode, errorMessage, credentialInfos: [] };
}

export const describeUserScramCredentialsHandler = defineHandler({
  apiKey: 50,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const users = ctx.credentials.users();
    const named = request.body.users?.map((u) => u.name) ?? [];
    if (named.length === 0)
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results: [...users].map(([user, infos]) => described(user, infos)) };
    const repeated = repeatedNames(named);
    const results = [...new Set(named)].map((user) => {
      if (repeated.has(user))
        return refused(user, ErrorCode.DUPLICATE_RESOURCE, `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`);
      const infos = users.get(user);
      return infos === undefined
        ? refused(user, ErrorCode.RESOURCE_NOT_FOUND, `Attempt to describe a user credential that does not exist: ${user}`)
        : described(user, infos);
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
  },
});
