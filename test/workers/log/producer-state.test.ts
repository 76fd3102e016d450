// Idempotent producer sequence checks: duplicates answer with the original offsets, gaps and stale
// epochs are refused, a new epoch restarts at 0, only the last five batches are remembered.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/kafka-error-codes.js';
import { lastSequenceOf, ProducerStateTable, SequenceCheck } from '../../../workers/log/producer-state.js';

describe('ProducerStateTable', () => {
  it('accepts in-order batches and recognises retries of any of the last five', () => {
    const table = new ProducerStateTable();
    const check = new SequenceCheck();
    expect(table.check(7, 0, 0, 2, check).errorCode).toBe(ErrorCode.NONE);
    for (let i = 0; i < 6; i++) table.record(7, 0, i * 3, i * 3 + 2, 100 + i * 3, 102 + i * 3);
    expect(table.check(7, 0, 18, 20, check)).toMatchObject({ errorCode: ErrorCode.NONE, duplicateOf: -1 });
    expect(table.check(7, 0, 15, 17, check)).toMatchObject({ errorCode: ErrorCode.NONE, duplicateOf: 115 });
    expect(table.check(7, 0, 3, 5, check)).toMatchObject({ errorCode: ErrorCode.NONE, duplicateOf: 103 });
    expect(table.check(7, 0, 0, 2, check).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.check(7, 0, 21, 22, check).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('handles epochs: stale refused, a bump must restart at sequence 0', () => {
    const table = new ProducerStateTable();
    const check = new SequenceCheck();
    table.record(1, 3, 0, 0, 0, 0);
    expect(table.check(1, 2, 1, 1, check).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(table.check(1, 4, 5, 5, check).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(table.check(1, 4, 0, 0, check).errorCode).toBe(ErrorCode.NONE);
    table.record(1, 4, 0, 0, 1, 1);
    expect(table.check(1, 4, 1, 4, check).errorCode).toBe(ErrorCode.NONE);
  });

  it('wraps sequences at 2^31-1 and forgets batches on truncation', () => {
    expect(lastSequenceOf(0x7fff_fffe, 3)).toBe(1);
    const table = new ProducerStateTable();
    const check = new SequenceCheck();
    table.record(9, 0, 0x7fff_fffe, 0x7fff_ffff, 10, 11);
    expect(table.check(9, 0, 0, 0, check).errorCode).toBe(ErrorCode.NONE);
    table.truncateFrom(10);
    expect(table.producerCount).toBe(0);
  });
});
