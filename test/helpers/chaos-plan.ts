// The fault plan of a randomized cluster run, drawn from one seed (fast-check's generator, so FJORD_SEED replays
// the same plan): a bounded list of steps, each a fault on one broker (chosen by role: a partition's leader, the
// controller, or any broker) or on etcd, held for a while, then undone, then a pause. One fault at a time, so a
// three-broker cluster with min.insync.replicas=2 keeps taking acks=all writes between faults. Test helper.
import fc from 'fast-check';

export type FaultKind = 'kill' | 'freeze' | 'restart' | 'etcd-outage';

/** Which broker a fault hits, resolved when the step runs (leadership moves as the run goes). */
export type Target = { role: 'leader'; partition: number } | { role: 'controller' } | { role: 'broker'; nodeId: number };

export interface ChaosStep {
  fault: FaultKind;
  target: Target;
  /** How long the fault lasts before it is undone (a freeze past the 2 s session is a failover; under it, a hiccup). */
  holdMs: number;
  /** Quiet time after the fault is undone. */
  pauseMs: number;
}

function stepArbitrary(brokers: number, partitions: number): fc.Arbitrary<ChaosStep> {
  const target: fc.Arbitrary<Target> = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: partitions - 1 }).map((partition): Target => ({ role: 'leader', partition })) },
    { weight: 1, arbitrary: fc.constant<Target>({ role: 'controller' }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: brokers }).map((nodeId): Target => ({ role: 'broker', nodeId })) },
  );
  const fault = fc.oneof(
    { weight: 4, arbitrary: fc.constant<FaultKind>('kill') },
    { weight: 4, arbitrary: fc.constant<FaultKind>('freeze') },
    { weight: 2, arbitrary: fc.constant<FaultKind>('restart') },
    { weight: 1, arbitrary: fc.constant<FaultKind>('etcd-outage') },
  );
  return fc.record({ fault, target, holdMs: fc.integer({ min: 200, max: 5_000 }), pauseMs: fc.integer({ min: 200, max: 3_000 }) });
}

/** `steps` steps for a cluster of `brokers` brokers and a topic of `partitions` partitions, the same for the same seed. */
export function chaosPlan(seed: number, steps: number, brokers: number, partitions: number): ChaosStep[] {
  return fc.sample(fc.array(stepArbitrary(brokers, partitions), { minLength: steps, maxLength: steps }), { seed, numRuns: 1 })[0]!;
}

export function describeStep(step: ChaosStep): string {
  const { target } = step;
  const on = target.role === 'leader' ? `leader of partition ${target.partition}` : target.role === 'controller' ? 'controller' : `broker ${target.nodeId}`;
  return `${step.fault} ${step.fault === 'etcd-outage' ? '' : `${on} `}for ${step.holdMs} ms, then ${step.pauseMs} ms quiet`;
}
