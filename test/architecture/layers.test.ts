// The main thread's layers import downwards only: src/shared imports neither side of the thread boundary (nor
// any main-thread layer), the codec knows no handler, the network layer knows neither the codec nor the
// handlers (the replication listener reuses it with another protocol), src/security knows neither the codec nor
// a connection, observability reads the handler layer through narrow interfaces rather than importing it, and the
// handler table has no import cycle.
import { describe, expect, it } from 'vitest';
import { importCycles, importsOf, sourceFiles } from './source-imports.js';

/** Imports from files under `from` whose targets start with one of `forbidden`, as "file → target" lines. */
function importsInto(from: string, forbidden: readonly string[]): string[] {
  return sourceFiles(from).flatMap((file) =>
    importsOf(file)
      .filter((i) => forbidden.some((prefix) => i.target.startsWith(prefix)))
      .map((i) => `${file} → ${i.target}`),
  );
}

describe('layers', () => {
  it('src/shared imports only src/shared', () => {
    const offending = sourceFiles('src/shared').flatMap((file) =>
      importsOf(file)
        .filter((i) => !i.target.startsWith('src/shared/'))
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('the protocol codec imports no handler', () => {
    expect(importsInto('src/protocol', ['src/broker/'])).toEqual([]);
  });

  it('the network layer imports neither the protocol codec nor the handlers', () => {
    expect(importsInto('src/network', ['src/protocol/', 'src/broker/'])).toEqual([]);
  });

  it('src/security (SASL mechanisms and credentials) imports only itself and src/shared', () => {
    const offending = sourceFiles('src/security').flatMap((file) =>
      importsOf(file)
        .filter((i) => i.target.startsWith('src/') && !i.target.startsWith('src/security/') && !i.target.startsWith('src/shared/'))
        .map((i) => `${file} → ${i.target}`),
    );
    expect(offending).toEqual([]);
  });

  it('observability imports no handler', () => {
    expect(importsInto('src/observability', ['src/broker/'])).toEqual([]);
  });

  it('the handlers and their table import one another without a cycle', () => {
    expect(importCycles(sourceFiles('src/broker'))).toEqual([]);
  });
});
