// Kafka's topic name rules: 1..249 characters of [a-zA-Z0-9._-], not "." or "..". Runs on the main thread.

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name, or null if it is. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is ${name.length} characters, more than ${MAX_TOPIC_NAME_LENGTH}`;
  if (!LEGAL.test(name)) return `topic name "${name}" has characters other than ASCII letters, digits, ".", "_" and "-"`;
  return null;
}
