// InitProducerId (key 22), versions 0–5: request and response fields as data for the generic codec. Main thread.
// v2 first flexible version; v3 lets a producer bump its epoch (producerId/producerEpoch in the request);
// v4 (PRODUCER_FENCED) and v5 (TRANSACTION_ABORTABLE) add no field.
import { defineApi, type RequestOf, type ResponseOf } from '../schema/api-definition.js';

export const initProducerIdApi = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  versions: '0-5',
  flexibleVersions: '2+',
  request: [
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
  response: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
});

export type InitProducerIdRequest = RequestOf<typeof initProducerIdApi>;
export type InitProducerIdResponse = ResponseOf<typeof initProducerIdApi>;
