// The cluster metadata of a standalone broker (no etcd): cluster id, topics with their ids, partition
// counts and config overrides, kept in one JSON file replaced atomically on every change. Runs on the
// main thread.
//
// File `fjord-metadata.json` in the metadata dir (default: the first log dir):
//   { "version": 1, "clusterId": "<22 chars>", "topics": { "<name>": { "topicId": "<22 chars>", "partitions": N,
//     "configs": { "<topic config key>": "<value>" } } } }
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../shared/atomic-file.js';

export const METADATA_FILE = 'fjord-metadata.json';

export interface TopicRecord {
  topicId: string;
  partitions: number;
  configs: Record<string, string>;
}

interface MetadataFile {
  version: 1;
  clusterId: string;
  topics: Record<string, TopicRecord>;
}

export class StandaloneMetadata {
  private constructor(
    private readonly path: string,
    private state: MetadataFile,
  ) {}

  /** Loads the file, or starts a new cluster (fresh id) when there is none. A corrupt file is a start-up error. */
  static open(dir: string): StandaloneMetadata {
    const path = join(dir, METADATA_FILE);
    if (!existsSync(path)) {
      const metadata = new StandaloneMetadata(path, { version: 1, clusterId: newClusterId(), topics: {} });
      metadata.save();
      return metadata;
    }
    let parsed: MetadataFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as MetadataFile;
    } catch (error) {
      throw new Error(`metadata file ${path} is unreadable (${(error as Error).message}); restore it or move it away to start a new cluster`);
    }
    if (parsed.version !== 1 || typeof parsed.clusterId !== 'string' || typeof parsed.topics !== 'object') {
      throw new Error(`metadata file ${path} is not a Fjord metadata file of version 1`);
    }
    return new StandaloneMetadata(path, parsed);
  }

  get clusterId(): string {
    return this.state.clusterId;
  }

  topic(name: string): TopicRecord | undefined {
    return this.state.topics[name];
  }

  topicNames(): string[] {
    return Object.keys(this.state.topics);
  }

  putTopic(name: string, record: TopicRecord): void {
    this.state.topics[name] = record;
    this.save();
  }

  deleteTopic(name: string): void {
    delete this.state.topics[name];
    this.save();
  }

  private save(): void {
    writeFileAtomicSync(this.path, JSON.stringify(this.state, null, 2) + '\n');
  }

}

/** A Kafka-style cluster id: 16 random bytes, URL-safe base64 without padding (22 characters). */
function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** A topic id in Kafka's text form: 16 random bytes as URL-safe base64 (never the all-zero id). */
export function newTopicId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    if (bytes.some((b) => b !== 0)) return bytes.toString('base64url');
  }
}
