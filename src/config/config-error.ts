// The error a bad configuration stops the broker with: one line per problem, every problem at once. Main thread.

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}
