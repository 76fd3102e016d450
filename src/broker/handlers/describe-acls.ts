// DescribeAcls: the ACLs of ctx.authorizer one filter matches, grouped by resource pattern. As Kafka: without an
// authorizer the whole answer is SECURITY_DISABLED; a filter with an unknown code is INVALID_REQUEST. Runs on the
// main thread.
import { aclFilterOfCodes } from '../../security/acl-filter.js';
import { defineHandler } from '../api-handler.js';
import { describedResources, SECURITY_DISABLED } from './acl-answers.js';
import { attempt, NO_ERROR } from './admin-results.js';

export const describeAclsHandler = defineHandler({
  apiKey: 29,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    if (!ctx.authorizer.enabled) return { throttleTimeMs: 0, ...SECURITY_DISABLED, resources: [] };
    const outcome = await attempt(() => ctx.authorizer.acls(aclFilterOfCodes(request.body)));
    if (!outcome.ok) return { throttleTimeMs: 0, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage, resources: [] };
    return { throttleTimeMs: 0, ...NO_ERROR, resources: describedResources(outcome.value) };
  },
});
