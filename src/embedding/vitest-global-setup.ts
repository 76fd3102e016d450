// A vitest globalSetup module: one broker for the whole run, its address given to every test file as
// inject('fjordBootstrap') and the KAFKA_BOOTSTRAP_SERVERS environment variable; stopped when the run ends.
// Runs in vitest's main process.
import { startTestBroker } from './test-broker.js';

/** The part of vitest's TestProject this setup uses (typed here so the package does not depend on vitest). */
interface ProvidingProject {
  provide(key: string, value: unknown): void;
}

export default async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
  const broker = await startTestBroker();
  process.env.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrap;
  project.provide('fjordBootstrap', broker.bootstrap);
  return () => broker.stop();
}
