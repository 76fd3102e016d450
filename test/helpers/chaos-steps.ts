// Runs a chaos plan (chaos-plan.ts) on a cluster scenario while its clients run: before each step every broker is
// back and listed by all, the step's target is resolved (a partition's leader or the controller as they are now),
// the fault is applied, held and undone, then a quiet pause; steps stop once the time budget is spent. Each step
// is printed with its start time, so a failing run can be read next to the brokers' logs. Test helper.
import { type ChaosStep, describeStep } from './chaos-plan.js';
import type { ClusterScenario } from './cluster-scenario.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `plan` on `topic`'s cluster until it ends or `budgetMs` has passed; how many steps ran. */
export async function runChaos(scenario: ClusterScenario, topic: string, plan: ChaosStep[], budgetMs: number): Promise<number> {
  const everyBroker = [...scenario.cluster.brokers.keys()];
  const startedAt = Date.now();
  let ran = 0;
  for (const step of plan) {
    if (Date.now() - startedAt > budgetMs) break;
    await scenario.cluster.waitForMembers(everyBroker, 30_000);
    console.log(`chaos step ${ran} at ${new Date().toISOString()} (+${Date.now() - startedAt} ms): ${describeStep(step)}`);
    await runStep(scenario, topic, step);
    scenario.noteProcesses();
    await sleep(step.pauseMs);
    ran += 1;
  }
  await scenario.cluster.waitForMembers(everyBroker, 30_000);
  return ran;
}

/** The node id a step's target names now. */
async function resolveTarget(scenario: ClusterScenario, topic: string, step: ChaosStep): Promise<number> {
  const { target } = step;
  if (target.role === 'broker') return target.nodeId;
  if (target.role === 'leader') return (await scenario.leaderOf(topic, target.partition)).leader;
  const [view] = await scenario.cluster.waitForMembers([...scenario.cluster.brokers.keys()]);
  return view!.controllerId;
}

/** Applies the fault, holds it, undoes it. */
async function runStep(scenario: ClusterScenario, topic: string, step: ChaosStep): Promise<void> {
  const { cluster } = scenario;
  if (step.fault === 'etcd-outage') {
    await cluster.etcd.stop();
    await sleep(step.holdMs);
    await cluster.etcd.restart();
    return;
  }
  const broker = cluster.broker(await resolveTarget(scenario, topic, step));
  if (step.fault === 'freeze') {
    broker.freeze();
    await sleep(step.holdMs);
    broker.thaw();
    return;
  }
  await (step.fault === 'kill' ? broker.kill() : broker.stop());
  await sleep(step.holdMs);
  await broker.start();
}
