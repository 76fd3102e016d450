// Topic id → topic name for the APIs that name topics by id (Fetch v13+): a map rebuilt from the topic
// table when an id is not in it or no longer names the same topic (deleted, recreated). Main thread.
import type { TopicManager } from '../metadata/topic-manager.js';

export class TopicIds {
  private readonly names = new Map<string, string>();

  constructor(private readonly topics: TopicManager) {}

  /** The name of the topic with this id, or undefined when no topic has it. */
  nameOf(topicId: string): string | undefined {
    const cached = this.names.get(topicId);
    if (cached !== undefined && this.topics.topic(cached)?.topicId === topicId) return cached;
    this.rebuild();
    return this.names.get(topicId);
  }

  private rebuild(): void {
    this.names.clear();
    for (const name of this.topics.topicNames()) {
      const record = this.topics.topic(name);
      if (record !== undefined) this.names.set(record.topicId, name);
    }
  }
}
