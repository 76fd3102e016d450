// The broker's TLS material (SSL and SASL_SSL listeners, replication over TLS): the private key and certificate
// chain (ssl.keystore.location, PEM, the key maybe encrypted with ssl.key.password) and the CA certificates peers'
// certificates are checked against (ssl.truststore.location, PEM), read and checked into secure-context options at
// start-up (a bad file stops the start with one line) and held by TlsMaterial, which reads them again whenever a
// file changes (a bad new file keeps the material in use and logs one line). Also the principal a client
// certificate names. Runs on the main thread.
import { type StatsListener, unwatchFile, watchFile } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { mapPrincipalName, type PrincipalMappingRule } from '../security/ssl-principal-mapping.js';
import { isEncryptedKey, PRIVATE_KEY_LABELS, pemBlocks, readPemCertificates, readPemText } from '../shared/pem-file.js';

export type ClientAuth = 'none' | 'requested' | 'required';

export interface TlsFiles {
  keystorePath: string;
  /** ssl.key.password: '' when the key is not encrypted. */
  keyPassword: string;
  /** '' : Node's default CAs. */
  truststorePath: string;
}

/** How often the files' modification times are polled for a change. */
export const TLS_FILES_POLL_MS = 2_000;

/** The secure-context options of `files`, checked by building a context from them; throws a one-line Error. */
export function readTlsMaterial(files: TlsFiles): SecureContextOptions {
  // The keystore holds one private key block (encrypted: with ssl.key.password) and one or more certificates, the
  // broker's own first, then its chain; the truststore holds certificates only (pem-file.ts: the PEM blocks).
  const blocks = pemBlocks(readPemText('ssl.keystore.location', files.keystorePath));
  if (blocks.some(isEncryptedKey) && files.keyPassword === '') {
    throw new Error(`ssl.keystore.location ${files.keystorePath} holds an encrypted private key: set ssl.key.password`);
  }
  const keys = blocks.filter((b) => PRIVATE_KEY_LABELS.includes(b.label));
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (keys.length !== 1 || certificates.length === 0) {
    throw new Error(
      `ssl.keystore.location ${files.keystorePath} must hold one PEM private key and its certificate chain, found ${keys.length} key(s) and ${certificates.length} certificate(s)`,
    );
  }
  const options: SecureContextOptions = { key: keys[0]!.pem, cert: certificates.map((c) => c.pem).join('\n') };
  if (files.keyPassword !== '') options.passphrase = files.keyPassword;
  if (files.truststorePath !== '') {
    options.ca = readPemCertificates('ssl.truststore.location', files.truststorePath);
  }
  try {
    createSecureContext(options);
  } catch (error) {
    throw new Error(`ssl.keystore.location ${files.keystorePath}: ${(error as Error).message.split('\n')[0]}`);
  }
  return options;
}

/**
 * Calls `onChange` with the files' new material whenever one of them changes and reads well, and `onError` with a
 * one-line reason when it does not (the caller keeps what it has). Returns the function that stops watching.
 */
export function watchTlsMaterial(files: TlsFiles, onChange: (options: SecureContextOptions) => void, onError: (message: string) => void): () => void {
  const paths = [files.keystorePath, files.truststorePath].filter((path) => path !== '');
  const changed: StatsListener = (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    try {
      onChange(readTlsMaterial(files));
    } catch (error) {
      onError((error as Error).message);
    }
  };
  for (const path of paths) watchFile(path, { interval: TLS_FILES_POLL_MS, persistent: false }, changed);
  return () => {
    for (const path of paths) unwatchFile(path, changed);
  };
}

/**
 * The principal a verified client certificate names: "User:" and its subject's distinguished name in RFC 2253 order
 * (most specific attribute first, comma-separated), e.g. CN=alice,O=Acme, as ssl.principal.mapping.rules map it
 * (DEFAULT: as it is). Node writes the subject one attribute per line, in the certificate's order (least specific first).
 */
export function principalOfCertificate(certificate: X509Certificate, rules: readonly PrincipalMappingRule[]): string {
  const attributes = certificate.subject.split('\n').filter((line) => line !== '');
  return `User:${mapPrincipalName(rules, attributes.reverse().join(','))}`;
}

/**
 * The broker's TLS material while it runs: read once at start-up (a bad file throws a one-line Error), then
 * re-read when a file changes. Listeners subscribe to serve the new material to new connections; followers read
 * `current` when they connect to a leader. A bad new file is reported to `onError` and the material in use kept.
 */
export class TlsMaterial {
  private readonly subscribers: Array<(options: SecureContextOptions) => void> = [];
  private readonly stopWatching: () => void;

  private constructor(
    readonly files: TlsFiles,
    private options: SecureContextOptions,
    onReload: (files: TlsFiles) => void,
    onError: (message: string) => void,
  ) {
    this.stopWatching = watchTlsMaterial(
      files,
      (next) => {
        this.options = next;
        for (const subscriber of this.subscribers) subscriber(next);
        onReload(files);
      },
      onError,
    );
  }

  static open(files: TlsFiles, onReload: (files: TlsFiles) => void, onError: (message: string) => void): TlsMaterial {
    return new TlsMaterial(files, readTlsMaterial(files), onReload, onError);
  }

  get current(): SecureContextOptions {
    return this.options;
  }

  /** Calls `use` with each new material from now on. */
  subscribe(use: (options: SecureContextOptions) => void): void {
    this.subscribers.push(use);
  }

  close(): void {
    this.stopWatching();
  }
}
