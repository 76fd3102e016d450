// DeleteAcls: every ACL of ctx.authorizer any valid filter matches removed in one change; per filter, in request
// order, the ACLs it matched (an ACL two filters match is listed by both). A filter with an unknown code is
// INVALID_REQUEST; without an authorizer every filter is SECURITY_DISABLED, as Kafka answers. Runs on the main thread.
import { aclFilterOfCodes } from '../../security/acl-filter.js';
import { defineHandler } from '../api-handler.js';
import { checkEach, matchingAcl, SECURITY_DISABLED } from './acl-answers.js';
import { attempt, fieldsOf } from './admin-results.js';

export const deleteAclsHandler = defineHandler({
  apiKey: 31,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const { filters } = request.body;
    if (!ctx.authorizer.enabled) return { throttleTimeMs: 0, filterResults: filters.map(() => ({ ...SECURITY_DISABLED, matchingAcls: [] })) };
    const { checked, valid } = await checkEach(filters, aclFilterOfCodes);
    const deleted = await attempt(() => ctx.authorizer.delete(valid));
    if (!deleted.ok) ctx.logger.warn({ filters: valid.length, err: deleted.errorMessage }, 'ACL deletion failed');
    let next = 0;
    const filterResults = checked.map((outcome) => {
      if (!outcome.ok) return { ...fieldsOf(outcome), matchingAcls: [] };
      const matched = deleted.ok ? deleted.value[next++]! : [];
      return { ...fieldsOf(deleted), matchingAcls: matched.map(matchingAcl) };
    });
    return { throttleTimeMs: 0, filterResults };
  },
});
