// PEM files as TLS material comes in (the SSL listeners' keystore and truststore, the etcd client's CA, certificate
// and key): read with a one-line error naming the config key, and split into labelled blocks. Thread-neutral; read
// on the main thread at start-up and when a listener's files change.
import { readFileSync } from 'node:fs';

/**
 * A PEM file is a sequence of blocks:
 *   -----BEGIN <label>-----
 *   base64 lines
 *   -----END <label>-----
 * A private key block is labelled PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, or ENCRYPTED PRIVATE KEY (an RSA
 * key with a Proc-Type: 4,ENCRYPTED header is encrypted too); a certificate CERTIFICATE. Text outside the blocks is ignored.
 */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;
export const PRIVATE_KEY_LABELS: readonly string[] = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'];

export interface PemBlock {
  label: string;
  /** The block itself, BEGIN and END lines included. */
  pem: string;
}

export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
}

/** Whether a private key block needs a password. */
export function isEncryptedKey(block: PemBlock): boolean {
  return block.label === 'ENCRYPTED PRIVATE KEY' || (PRIVATE_KEY_LABELS.includes(block.label) && block.pem.includes('ENCRYPTED'));
}

/** The file's text; throws `<key> <path> cannot be read: <code>` (one line). */
export function readPemText(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${key} ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The CERTIFICATE blocks of a file, in order; throws `<key> <path> holds no PEM certificate` when there are none. */
export function readPemCertificates(key: string, path: string): string[] {
  const certificates = pemBlocks(readPemText(key, path)).filter((b) => b.label === 'CERTIFICATE');
  if (certificates.length === 0) throw new Error(`${key} ${path} holds no PEM certificate`);
  return certificates.map((c) => c.pem);
}
