// The cluster scenarios' model finds each anomaly it is meant to find, and none in a clean history: so a scenario
// that passes passed because the cluster behaved, not because the checker looked away.
import { describe, expect, it } from 'vitest';
import { type PartitionLog, partitionKey, replicaDifferences, ScenarioModel } from './scenario-model.js';

const KEY = partitionKey('t', 0);
const logOf = (...values: string[]): Map<string, PartitionLog> => new Map([[KEY, values.map((value, offset) => ({ offset, value }))]]);

/** p sent a, b, c; all acknowledged at 0, 1, 2; reader r read a and b. */
function cleanHistory(): ScenarioModel {
  const model = new ScenarioModel();
  ['a', 'b', 'c'].forEach((value, offset) => {
    model.attempt(value);
    model.acknowledge('p', 't', 0, offset, value);
  });
  model.read('r', 't', 0, 0, 'a');
  model.read('r', 't', 0, 1, 'b');
  return model;
}

describe('ScenarioModel', () => {
  it('finds nothing in a clean history, a redelivery and an unacknowledged message stored once included', () => {
    const model = cleanHistory();
    model.attempt('d');
    model.read('r2', 't', 0, 0, 'a');
    expect(model.anomalies(logOf('a', 'b', 'c', 'd'))).toEqual([]);
  });

  it('finds an acknowledged message lost, or moved to another offset', () => {
    expect(cleanHistory().anomalies(logOf('a', 'b'))).toEqual([expect.stringMatching(/^acknowledged message lost: c at t\/0@2/)]);
    expect(
      cleanHistory()
        .anomalies(logOf('a', 'b', 'x', 'c'))
        .join('\n'),
    ).toMatch(/acknowledged message lost: c at t\/0@2/);
  });

  it('finds a message stored twice and a message no producer sent', () => {
    expect(cleanHistory().anomalies(logOf('a', 'b', 'c', 'c'))).toEqual([expect.stringMatching(/^message stored twice: c/)]);
    expect(cleanHistory().anomalies(logOf('a', 'b', 'c', 'zz'))).toEqual([expect.stringMatching(/^message no producer sent: zz/)]);
  });

  it('finds acknowledgements out of sending order', () => {
    const model = new ScenarioModel();
    model.attempt('a');
    model.attempt('b');
    model.acknowledge('p', 't', 0, 1, 'a');
    model.acknowledge('p', 't', 0, 0, 'b');
    expect(model.anomalies(logOf('b', 'a'))).toEqual([expect.stringMatching(/^acknowledged out of sending order/)]);
  });

  it('finds one offset read as two messages, and a read message rolled back', () => {
    const model = cleanHistory();
    model.attempt('b2');
    model.read('r2', 't', 0, 1, 'b2');
    expect(model.anomalies(logOf('a', 'b', 'c'))).toEqual([
      expect.stringMatching(/^one offset, two messages: t\/0@1 read as b by r and b2 by r2/),
      expect.stringMatching(/^consumed message rolled back: b2 read by r2/),
    ]);
  });

  it('compares replicas below the high watermark only', () => {
    const leader = logOf('a', 'b', 'c').get(KEY)!;
    expect(replicaDifferences('r', leader, logOf('a', 'b', 'c', 'uncommitted').get(KEY)!, 3)).toEqual([]);
    expect(replicaDifferences('r', leader, logOf('a', 'x', 'c').get(KEY)!, 3)).toEqual(['r: record 1 is x@1, expected b@1']);
    expect(replicaDifferences('r', leader, logOf('a').get(KEY)!, 3)).toEqual(['r: record 1 is missing, expected b@1']);
  });
});
