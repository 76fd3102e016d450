// ApiVersions: the versions Fjord serves, computed from the one handler table. Runs on the main thread.
import { defineHandler } from '../api-handler.js';
import { advertisedVersions } from '../handler-table.js';

export const apiVersionsHandler = defineHandler({
  apiKey: 18,
  minVersion: 0,
  maxVersion: 3,
  handle: () => ({ errorCode: 0, apiKeys: advertisedVersions(), throttleTimeMs: 0 }),
});
