// Small helpers shared by the protocol tests: hex views of buffers and catching the codec's ProtocolError.
import { expect } from 'vitest';
import { ProtocolError } from '../../../src/protocol/codec/protocol-error.js';

export const hex = (buf: Buffer): string => buf.toString('hex');
export const bytesOf = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Runs `run`, which must throw a ProtocolError, and returns it. */
export function thrown(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}
