#!/usr/bin/env node
// The `fjord` command (package.json "bin"): the compiled CLI in dist/ ("npm run build" makes it).
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
try {
  await import(entry.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/src/cli/main.js')) throw error;
  process.stderr.write('fjord: the compiled command (dist/src/cli/main.js) is missing; run "npm run build" first\n');
  process.exitCode = 1;
}
