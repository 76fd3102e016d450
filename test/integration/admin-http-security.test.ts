// The admin HTTP port secured, on broker processes: https://127.0.0.1:0 serving /metrics over TLS with the broker's
// keystore (checked against the test CA) and a rotated keystore used for new connections; and
// fjord.http.authentication=required: 401 without credentials or with a wrong password, 200 for a user created
// through the PLAINTEXT Kafka listener, and no password in the broker's log lines.
import { copyFileSync, readFileSync } from 'node:fs';
import { get as httpsGet, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.js';
import { createScramUser } from '../helpers/scram-users.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';
import { waitUntil } from '../helpers/wait-until.js';

const PASSWORD = 'scrape-pass-31';

let certs: TestCertificates;
let keystore: string;
let tlsBroker: BrokerProcess;
let authBroker: BrokerProcess;
beforeAll(async () => {
  certs = makeTestCertificates();
  keystore = join(tempDir('fjord-admin-keystore-'), 'keystore.pem');
  copyFileSync(certs.broker.keystore, keystore);
  [tlsBroker, authBroker] = await Promise.all([
    startBrokerProcess({ 'fjord.http.listener': 'https://127.0.0.1:0', 'ssl.keystore.location': keystore }),
    startBrokerProcess({ 'fjord.http.authentication': 'required' }),
  ]);
});
afterAll(async () => {
  expect(await Promise.all([tlsBroker.stop(), authBroker.stop()])).toEqual([0, 0]);
});

interface Answer {
  status: number;
  body: string;
  issuer: string;
}

function getOverTls(url: string, options: RequestOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(url, { ...options, agent: false }, (response) => {
      const certificate: PeerCertificate = (response.socket as TLSSocket).getPeerCertificate();
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, issuer: String(certificate.issuer.CN) }));
    });
    request.on('error', reject);
  });
}

describe('an https admin listener', () => {
  it('serves /metrics over TLS with the broker keystore, checked against the CA', async () => {
    expect(tlsBroker.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await getOverTls(`${tlsBroker.httpUrl}/metrics`, { ca: readFileSync(certs.ca) });
    expect([answer.status, answer.issuer]).toEqual([200, 'Fjord test ca']);
    expect(answer.body).toContain('fjord_');
    await expect(getOverTls(`${tlsBroker.httpUrl}/metrics`, { ca: readFileSync(certs.otherCa) })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
    const plain = await fetch(`${tlsBroker.httpUrl!.replace('https:', 'http:')}/health`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  it('serves a rotated keystore to new connections without a restart', async () => {
    copyFileSync(certs.otherBroker.keystore, keystore);
    await waitUntil(
      async () => (await getOverTls(`${tlsBroker.httpUrl}/health`, { ca: readFileSync(certs.otherCa) }).catch(() => null))?.status === 200,
      'the admin listener serves the new certificate',
    );
  });
});

describe('fjord.http.authentication=required', () => {
  it('answers 401 without credentials or with a wrong password, 200 to a broker user', async () => {
    await createScramUser(authBroker.bootstrap, 'scraper', 'SCRAM-SHA-256', PASSWORD);
    const basic = (password: string) => ({ Authorization: `Basic ${Buffer.from(`scraper:${password}`).toString('base64')}` });
    const none = await fetch(`${authBroker.httpUrl}/metrics`);
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="fjord", charset="UTF-8"']);
    expect((await fetch(`${authBroker.httpUrl}/metrics`, { headers: basic('not-the-password') })).status).toBe(401);
    const right = await fetch(`${authBroker.httpUrl}/metrics`, { headers: basic(PASSWORD) });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('fjord_');
    expect(authBroker.logLines.some((line) => line.msg === 'admin HTTP request refused: no credentials (HTTP Basic authentication is required)')).toBe(true);
    const logged = JSON.stringify(authBroker.logLines);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain('not-the-password');
  });
});
