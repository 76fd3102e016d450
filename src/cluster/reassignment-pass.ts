// The controller's part of reassignments: for each one under way (state/reassignments/), the next step of
// reassignment-steps.ts written under the controller's fence — the widened assignment by compare-and-swap on the
// assignment's revision, the completion as one transaction over the assignment, the partition state and the
// reassignment record. A conflict is decided again at the next pass (every change asks for one). Main thread.
import type { Namespace } from 'etcd3';
import type { Logger } from 'pino';
import type { ClusterStateView } from './cluster-state-view.js';
import { completeReassignment, writeAssignment, type WriteResult } from './cluster-state-writes.js';
import type { Fence } from './fence.js';
import { nextReassignmentStep } from './reassignment-steps.js';

/** Moves every reassignment one step; the highest revision written (0 when nothing was), or 'fenced'. */
export async function advanceReassignments(
  ns: Namespace,
  fence: Fence,
  view: ClusterStateView,
  live: ReadonlySet<number>,
  logger: Logger,
): Promise<bigint | 'fenced'> {
  let lastRevision = 0n;
  for (const [key, { value: record }] of [...view.reassignments]) {
    const slash = key.lastIndexOf('/');
    const [topic, partition] = [key.slice(0, slash), Number(key.slice(slash + 1))];
    const assignment = view.assignments.get(topic);
    const replicas = assignment?.value.replicas[partition];
    if (assignment === undefined || replicas === undefined) continue;
    const state = view.partition(topic, partition) ?? null;
    const step = nextReassignmentStep(record, replicas, state?.value ?? null, live);
    if (step.kind === 'wait') continue;
    const next = assignment.value.replicas.map((r, p) => (p === partition ? step.replicas : r));
    let result: WriteResult;
    if (step.kind === 'widen') {
      result = await writeAssignment(ns, fence, topic, { replicas: next }, assignment.modRevision);
    } else {
      const current = state!;
      result = await completeReassignment(
        ns,
        fence,
        topic,
        partition,
        { value: { replicas: next }, modRevision: assignment.modRevision },
        { value: step.state, modRevision: current.modRevision },
      );
    }
    if (!result.ok) {
      if (result.reason === 'fenced') return 'fenced';
      continue;
    }
    if (result.revision > lastRevision) lastRevision = result.revision;
    const fields = { topic, partition, replicas: step.replicas, target: record.target };
    if (step.kind === 'widen') logger.info(fields, 'reassignment started: target replicas added');
    else logger.info({ ...fields, leader: step.state.leader, leaderEpoch: step.state.leaderEpoch, isr: step.state.isr }, 'reassignment completed');
  }
  return lastRevision;
}
