// Field lists shared word for word by several APIs (one definition, imported where used). Main thread.
import { fields } from '../schema/types.js';

/** { partitionIndex, errorCode } for every version: OffsetCommit and OffsetDelete responses. */
export const partitionErrors = fields([
  { name: 'partitionIndex', type: 'int32', versions: '0+' },
  { name: 'errorCode', type: 'int16', versions: '0+' },
]);

/** A config resource's result: AlterConfigs and IncrementalAlterConfigs responses. */
export const configResourceResult = fields([
  { name: 'errorCode', type: 'int16', versions: '0+' },
  { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'resourceType', type: 'int8', versions: '0+' },
  { name: 'resourceName', type: 'string', versions: '0+' },
]);

/** One ACL filter (Kafka's AclBindingFilter; pattern type from v1, LITERAL before): DescribeAcls, DeleteAcls requests. */
export const aclFilter = fields([
  { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
  { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
  { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'operation', type: 'int8', versions: '0+' },
  { name: 'permissionType', type: 'int8', versions: '0+' },
]);
