// ApiVersions: the versions Fjord serves, computed from the one handler table (which makes this handler,
// passing what it advertises, so this file does not import the table back). Runs on the main thread.
import { defineHandler } from '../api-handler.js';

export interface AdvertisedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export function apiVersionsHandlerFor(advertised: () => AdvertisedApi[]) {
  return defineHandler({
    apiKey: 18,
    minVersion: 0,
    maxVersion: 4,
    handle: () => ({ errorCode: 0, apiKeys: advertised(), throttleTimeMs: 0 }),
  });
}
