// Live capture: KafkaJS and @platformatic/kafka talk to the capture server (answered by Fjord's codec) and every
// request we keep must decode and re-encode to identical bytes. With FJORD_WRITE_GOLDEN=1 the frames are also
// written to test/protocol/golden/*.hex (then review and commit them; golden.test.ts checks their contents).
import { describe, expect, it } from 'vitest';
import { apiByKey, decodeRequest, encodeRequest, type ApiKey } from '../../../src/protocol/api-registry.js';
import { capture, scenarios, type Scenario } from './client-scenarios.js';
import { kebab, writeGolden } from './golden-files.js';
import type { CapturedFrame } from './capture-server.js';

const WRITE = process.env['FJORD_WRITE_GOLDEN'] === '1';

function clientSlug(scenario: Scenario): string {
  return scenario.client.replace('@platformatic/kafka', 'platformatic-kafka').replace(' ', '-');
}

function store(scenario: Scenario, captured: CapturedFrame): void {
  const api = apiByKey(captured.apiKey)!;
  const { header } = decodeRequest(captured.frame);
  const name = `${clientSlug(scenario)}-${kebab(api.name)}-v${captured.apiVersion}.hex`;
  writeGolden(
    name,
    [
      `${api.name} v${captured.apiVersion} request (api key ${api.apiKey}), correlation id ${header.correlationId}, client id '${header.clientId}'`,
      `client: ${scenario.client} on Node ${process.version}, captured ${new Date().toISOString().slice(0, 10)}`,
      `scenario '${scenario.name}': ${scenario.action}`,
      'answered by the capture server (test/protocol/golden/capture-server.ts) with Fjord-encoded ApiVersions',
      '(advertising the registry ranges), Metadata, FindCoordinator and SaslHandshake; regenerate with',
      'FJORD_WRITE_GOLDEN=1 npx vitest run test/protocol/golden/client-capture.test.ts',
      'frame below: the request without its 4-byte size prefix, hex',
    ],
    captured.frame,
  );
}

describe.each(scenarios)('$name', (scenario) => {
  it(`sends requests that decode and re-encode byte for byte`, async () => {
    const frames = await capture(scenario);
    expect([...frames.keys()].sort()).toEqual([...scenario.keep].sort());
    for (const captured of frames.values()) {
      const decoded = decodeRequest(captured.frame);
      const { apiKey, apiVersion, correlationId, clientId } = decoded.header;
      const again = encodeRequest(apiKey as ApiKey, apiVersion, correlationId, clientId, decoded.body as never);
      expect(again.subarray(4).toString('hex')).toBe(captured.frame.toString('hex'));
      if (WRITE) store(scenario, captured);
    }
  }, 30_000);
});
