// The etcd client's TLS: the CA certificates etcd's server certificate is checked against and the client certificate
// and key etcd's --client-cert-auth asks for (fjord.etcd.ssl.*), checked against the endpoints' scheme when the
// config is read and read from their PEM files into the etcd3 client's credentials when a client opens. Main thread.
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContextOptions } from 'node:tls';
import { isEncryptedKey, PRIVATE_KEY_LABELS, pemBlocks, readPemCertificates, readPemText } from '../shared/pem-file.js';
import { isTlsEndpoint } from './etcd-keys.js';

export const ETCD_SSL_CA_LOCATION_KEY = 'fjord.etcd.ssl.ca.location';
export const ETCD_SSL_CERTIFICATE_LOCATION_KEY = 'fjord.etcd.ssl.certificate.location';
export const ETCD_SSL_KEY_LOCATION_KEY = 'fjord.etcd.ssl.key.location';

/** PEM paths, as the config gives them; '' is not set. */
export interface EtcdTlsFiles {
  /** CA certificates for etcd's server certificate; '': Node's default CAs. */
  etcdSslCaLocation: string;
  /** The client certificate (its chain after it); '' with the key: no client certificate. */
  etcdSslCertificateLocation: string;
  /** Its private key, unencrypted. */
  etcdSslKeyLocation: string;
}

export const NO_ETCD_TLS_FILES: EtcdTlsFiles = { etcdSslCaLocation: '', etcdSslCertificateLocation: '', etcdSslKeyLocation: '' };

/** What the etcd3 client takes (`credentials`), handed to grpc's createSsl. */
export interface EtcdTlsCredentials {
  rootCertificate: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
}

/**
 * The config's contradictions, one line each: a certificate without its key or a key without its certificate, and
 * TLS files with endpoints that are not https:// (the files would be ignored and etcd spoken to in the clear).
 */
export function etcdTlsProblems(endpoints: readonly string[], files: EtcdTlsFiles): string[] {
  const problems: string[] = [];
  const [certificate, key] = [files.etcdSslCertificateLocation !== '', files.etcdSslKeyLocation !== ''];
  if (certificate !== key) {
    const [given, missing] = certificate
      ? [ETCD_SSL_CERTIFICATE_LOCATION_KEY, ETCD_SSL_KEY_LOCATION_KEY]
      : [ETCD_SSL_KEY_LOCATION_KEY, ETCD_SSL_CERTIFICATE_LOCATION_KEY];
    problems.push(`${given} is set without ${missing}: a client certificate needs its private key, and the key its certificate`);
  }
  const anyFile = certificate || key || files.etcdSslCaLocation !== '';
  if (anyFile && (endpoints.length === 0 || !endpoints.every(isTlsEndpoint))) {
    problems.push("fjord.etcd.ssl.* files are set but fjord.etcd.endpoints has no https:// endpoints: list etcd's https:// client URLs, or drop the files");
  }
  return problems;
}

/**
 * The credentials for https:// endpoints, read from `files` and checked by building a TLS context from them (a key
 * that does not match its certificate, an unreadable or empty file: a one-line Error naming the key).
 */
export function readEtcdTlsCredentials(files: EtcdTlsFiles): EtcdTlsCredentials {
  const { etcdSslCaLocation: caPath, etcdSslCertificateLocation: certificatePath, etcdSslKeyLocation: keyPath } = files;
  const cas = caPath === '' ? [...rootCertificates] : readPemCertificates(ETCD_SSL_CA_LOCATION_KEY, caPath);
  if (caPath !== '') checkCertificates(`${ETCD_SSL_CA_LOCATION_KEY} ${caPath}`, cas);
  const credentials: EtcdTlsCredentials = { rootCertificate: Buffer.from(cas.join('\n')) };
  if (certificatePath === '' && keyPath === '') return credentials;
  const certChain = readPemCertificates(ETCD_SSL_CERTIFICATE_LOCATION_KEY, certificatePath).join('\n');
  const key = readPrivateKey(keyPath);
  checkContext(`${ETCD_SSL_KEY_LOCATION_KEY} ${keyPath} with ${ETCD_SSL_CERTIFICATE_LOCATION_KEY} ${certificatePath}`, { key, cert: certChain });
  return { ...credentials, privateKey: Buffer.from(key), certChain: Buffer.from(certChain) };
}

/** Parses each certificate (a TLS context skips CA certificates it cannot parse): one line naming `what` for a bad one. */
function checkCertificates(what: string, pems: readonly string[]): void {
  try {
    for (const pem of pems) new X509Certificate(pem);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Builds a TLS context from `options` (invalid PEM, a key that does not match its certificate: one line naming `what`). */
function checkContext(what: string, options: SecureContextOptions): void {
  try {
    createSecureContext(options);
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** The one unencrypted private key block of the key file. */
function readPrivateKey(path: string): string {
  const keys = pemBlocks(readPemText(ETCD_SSL_KEY_LOCATION_KEY, path)).filter((b) => PRIVATE_KEY_LABELS.includes(b.label));
  if (keys.length !== 1) throw new Error(`${ETCD_SSL_KEY_LOCATION_KEY} ${path} must hold one PEM private key, found ${keys.length}`);
  if (isEncryptedKey(keys[0]!)) throw new Error(`${ETCD_SSL_KEY_LOCATION_KEY} ${path} holds an encrypted private key: etcd's client key must not be encrypted`);
  return keys[0]!.pem;
}
