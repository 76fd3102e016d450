// TLS material read from PEM files: a keystore of key and chain, a truststore of CAs, each bad file refused with
// one line naming its key; a file replaced on disk read again (a bad replacement reported, not applied); the
// principal a client certificate names, in Kafka's order (most specific attribute first).
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { principalOfCertificate, readTlsMaterial, watchTlsMaterial } from '../../src/network/tls-material.js';
import { parsePrincipalMappingRules } from '../../src/security/ssl-principal-mapping.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ENCRYPTED_KEY_PASSWORD, makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.js';
import { waitUntil } from '../helpers/wait-until.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});

describe('TLS material', () => {
  it('reads a keystore of key and certificate and a truststore of CAs into a working secure context', () => {
    const options = readTlsMaterial({ keystorePath: certs.broker.keystore, keyPassword: '', truststorePath: certs.ca });
    expect(String(options.key)).toContain('-----BEGIN PRIVATE KEY-----');
    expect(options.ca).toHaveLength(1);
    expect(() => createSecureContext(options)).not.toThrow();
  });

  it('refuses each bad file with one line naming its key', () => {
    const dir = tempDir();
    const read = (keystorePath: string, truststorePath = '', keyPassword = ''): string => {
      try {
        readTlsMaterial({ keystorePath, keyPassword, truststorePath });
        return 'read';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(read(join(dir, 'none.pem'))).toMatch(/^ssl\.keystore\.location .*none\.pem cannot be read: ENOENT$/);
    expect(read(certs.broker.cert)).toMatch(/found 0 key\(s\) and 1 certificate\(s\)$/);
    const encrypted = join(dir, 'encrypted.pem');
    writeFileSync(encrypted, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n');
    expect(read(encrypted)).toMatch(/holds an encrypted private key: set ssl\.key\.password$/);
    expect(read(certs.encryptedBrokerKeystore)).toMatch(/holds an encrypted private key: set ssl\.key\.password$/);
    expect(read(certs.encryptedBrokerKeystore, '', 'wrong-password')).toMatch(/^ssl\.keystore\.location .*broker-encrypted-keystore\.pem: /);
    expect(read(certs.encryptedBrokerKeystore, '', 'wrong-password')).not.toContain('wrong-password');
    expect(read(certs.encryptedBrokerKeystore, '', ENCRYPTED_KEY_PASSWORD)).toBe('read');
    const mismatched = join(dir, 'mismatched.pem');
    writeFileSync(mismatched, readFileSync(certs.client.key, 'utf8') + readFileSync(certs.broker.cert, 'utf8'));
    expect(read(mismatched)).toMatch(/^ssl\.keystore\.location .*mismatched\.pem: /);
    expect(read(certs.broker.keystore, certs.broker.key)).toMatch(/^ssl\.truststore\.location .* holds no PEM certificate$/);
  });

  it('reads a replaced file again, and reports a bad replacement without applying it', async () => {
    const keystore = join(tempDir(), 'keystore.pem');
    copyFileSync(certs.broker.keystore, keystore);
    const applied: string[] = [];
    const errors: string[] = [];
    const stop = watchTlsMaterial(
      { keystorePath: keystore, keyPassword: '', truststorePath: '' },
      (o) => applied.push(String(o.cert)),
      (m) => errors.push(m),
    );
    try {
      copyFileSync(certs.otherBroker.keystore, keystore);
      await waitUntil(() => applied.length === 1, 'the new keystore read', 10_000);
      expect(applied[0]).toBe(readFileSync(certs.otherBroker.cert, 'utf8').trim());
      writeFileSync(keystore, 'not a pem file at all, and longer than the one before it');
      await waitUntil(() => errors.length === 1, 'the bad keystore reported', 10_000);
      expect(errors[0]).toMatch(/found 0 key\(s\) and 0 certificate\(s\)$/);
      expect(applied).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('names the principal of a client certificate as Kafka does', () => {
    const certificate = new X509Certificate(readFileSync(certs.client.cert));
    expect(principalOfCertificate(certificate, [{ kind: 'default' }])).toBe('User:CN=alice,O=Fjord Tests');
    const rules = parsePrincipalMappingRules('ssl.principal.mapping.rules', 'RULE:^CN=(.*?),O=.*$/$1/U,DEFAULT');
    expect(principalOfCertificate(certificate, rules)).toBe('User:ALICE');
  });
});
