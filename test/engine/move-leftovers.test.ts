// Start-up after a stop in the middle of a move between log dirs, at every point between the move's folder
// steps: the copy the recorded placement names is kept (a future copy renamed into place), the others removed,
// and a copy is not opened while the dir the placement names is offline.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogDirState } from '../../src/engine/log-dirs.js';
import { settleInterruptedMoves } from '../../src/engine/move-leftovers.js';
import { moveFolderName } from '../../src/shared/partition-folder.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { tempDir } from '../helpers/temp-dir.js';

const MOVE_ID = 'ab'.repeat(16);

function dirState(path: string, online = true): LogDirState {
  return { path, online, offlineReason: online ? '' : 'test', cleanAtStart: false, partitionCount: 0 };
}

/** A folder holding one file whose text says which copy it is. */
function copy(dir: string, name: string, tag: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'tag'), tag);
}

function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name, 'tag'), 'utf8')]));
}

const future = moveFolderName('t', 0, MOVE_ID, 'future');
const retired = moveFolderName('t', 0, MOVE_ID, 'delete');

describe('settling interrupted moves at start-up', () => {
  it.each([
    ['recorded, nothing switched yet', { a: [['t-0', 'old']], b: [[future, 'new']] }, 'b', { a: {}, b: { 't-0': 'new' } }],
    ['recorded, old copy retired', { a: [[retired, 'old']], b: [[future, 'new']] }, 'b', { a: {}, b: { 't-0': 'new' } }],
    ['recorded, new copy in place', { a: [[retired, 'old']], b: [['t-0', 'new']] }, 'b', { a: {}, b: { 't-0': 'new' } }],
    ['recorded, both in place (old not retired)', { a: [['t-0', 'old']], b: [['t-0', 'new']] }, 'b', { a: {}, b: { 't-0': 'new' } }],
    ['not recorded', { a: [['t-0', 'old']], b: [[future, 'new']] }, undefined, { a: { 't-0': 'old' }, b: {} }],
    ['not recorded, an earlier move to the old dir recorded', { a: [['t-0', 'old']], b: [[future, 'new']] }, 'a', { a: { 't-0': 'old' }, b: {} }],
  ] as const)('%s', (_what, layout, placed, expected) => {
    const a = tempDir();
    const b = tempDir();
    for (const [name, tag] of layout.a) copy(a, name, tag);
    for (const [name, tag] of layout.b) copy(b, name, tag);
    const placement = placed === undefined ? undefined : { a, b }[placed];
    const notToOpen = settleInterruptedMoves([dirState(a), dirState(b)], () => placement, captureLogger().logger);
    expect(notToOpen.size).toBe(0);
    expect({ a: contents(a), b: contents(b) }).toEqual(expected);
  });

  it('does not open a copy while the dir the placement names is offline', () => {
    const a = tempDir();
    const b = join(tempDir(), 'offline');
    copy(a, 't-0', 'old');
    const notToOpen = settleInterruptedMoves([dirState(a), dirState(b, false)], () => b, captureLogger().logger);
    expect([...notToOpen]).toEqual([join(a, 't-0')]);
    expect(contents(a)).toEqual({ 't-0': 'old' });
  });

  it('leaves two copies alone when no placement names either (start-up then stops on them)', () => {
    const a = tempDir();
    const b = tempDir();
    copy(a, 't-0', 'one');
    copy(b, 't-0', 'two');
    settleInterruptedMoves([dirState(a), dirState(b)], () => undefined, captureLogger().logger);
    expect({ a: contents(a), b: contents(b) }).toEqual({ a: { 't-0': 'one' }, b: { 't-0': 'two' } });
  });
});
