// CreateAcls: each creation checked (acl-binding.ts: INVALID_REQUEST in Kafka's words), the valid ones added to
// ctx.authorizer in one change (a file standalone, etcd in a cluster), one result per creation in request order.
// An ACL that exists already is created again successfully, as Kafka does. Without an authorizer every result is
// SECURITY_DISABLED. Runs on the main thread.
import { aclBindingOfCodes } from '../../security/acl-binding.js';
import { ErrorCode } from '../../shared/kafka-error-codes.js';
import { defineHandler } from '../api-handler.js';
import { checkEach, SECURITY_DISABLED } from './acl-answers.js';
import { attempt, fieldsOf } from './admin-results.js';

export const createAclsHandler = defineHandler({
  apiKey: 30,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const { creations } = request.body;
    if (!ctx.authorizer.enabled) return { throttleTimeMs: 0, results: creations.map(() => SECURITY_DISABLED) };
    const { checked, valid } = await checkEach(creations, (creation) => aclBindingOfCodes({ ...creation, patternType: creation.resourcePatternType }));
    const written = fieldsOf(await attempt(() => ctx.authorizer.create(valid)));
    if (written.errorCode !== ErrorCode.NONE) ctx.logger.warn({ acls: valid.length, err: written.errorMessage }, 'ACL creation failed');
    return { throttleTimeMs: 0, results: checked.map((outcome) => (outcome.ok ? written : fieldsOf(outcome))) };
  },
});
