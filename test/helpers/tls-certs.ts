// Certificates for the TLS listener tests, made with the openssl command in a temp dir: a test CA, a broker
// certificate it signed (for 127.0.0.1 and localhost), a client certificate it signed (CN=alice), an etcd server
// certificate it signed (127.0.0.1 and localhost, for serving and for etcd's own gateway as a client), and the ones a
// broker must refuse or that stand in for a rotation: a second CA with a broker and a client certificate, and a
// self-signed client certificate. EC P-256 keys, unencrypted PEM. Test helper.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

export interface KeyPair {
  /** PEM paths. */
  key: string;
  cert: string;
  /** key then cert in one PEM file, as ssl.keystore.location takes it. */
  keystore: string;
}

export interface TestCertificates {
  dir: string;
  ca: string;
  broker: KeyPair;
  client: KeyPair;
  /** etcd's server certificate (`--cert-file`, `--key-file`). */
  etcdServer: KeyPair;
  /** A CA no broker trusts, with a broker and a client certificate of its own. */
  otherCa: string;
  otherBroker: KeyPair;
  otherClient: KeyPair;
  selfSignedClient: KeyPair;
  /** The broker's key encrypted (PKCS#8, AES-256) with `ENCRYPTED_KEY_PASSWORD`, and its certificate, in one file. */
  encryptedBrokerKeystore: string;
}

export const ENCRYPTED_KEY_PASSWORD = 'keystore-pass-7';

const DAYS = '3650';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): string {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
  return join(dir, `${name}.key`);
}

function newCa(dir: string, name: string): string {
  const key = newKey(dir, name);
  openssl(dir, ['req', '-x509', '-new', '-key', key, '-out', `${name}.pem`, '-days', DAYS, '-subj', `/CN=Fjord test ${name}`]);
  return join(dir, `${name}.pem`);
}

function keystoreOf(dir: string, name: string, key: string, cert: string): KeyPair {
  const keystore = join(dir, `${name}-keystore.pem`);
  writeFileSync(keystore, readFileSync(key, 'utf8') + readFileSync(cert, 'utf8'));
  return { key, cert, keystore };
}

/** A key and a certificate for `subject`, signed by the CA `ca` (its key beside it), with `extensions` (config lines). */
function signed(dir: string, name: string, subject: string, ca: string, extensions: string): KeyPair {
  const key = newKey(dir, name);
  openssl(dir, ['req', '-new', '-key', key, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  const caKey = ca.replace(/\.pem$/, '.key');
  const serial = `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`;
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-set_serial',
    serial,
    '-out',
    `${name}.pem`,
    '-days',
    DAYS,
    '-extfile',
    `${name}.ext`,
  ]);
  return keystoreOf(dir, name, key, join(dir, `${name}.pem`));
}

const BROKER_EXTENSIONS = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
const CLIENT_EXTENSIONS = 'extendedKeyUsage=clientAuth';
// etcd's gRPC gateway dials its own client port with the server certificate, so it is a client certificate too.
const ETCD_SERVER_EXTENSIONS = `${BROKER_EXTENSIONS}\nextendedKeyUsage=serverAuth,clientAuth`;

export function makeTestCertificates(): TestCertificates {
  const dir = tempDir('fjord-tls-');
  const ca = newCa(dir, 'ca');
  const otherCa = newCa(dir, 'other-ca');
  const selfKey = newKey(dir, 'self-signed');
  openssl(dir, ['req', '-x509', '-new', '-key', selfKey, '-out', 'self-signed.pem', '-days', DAYS, '-subj', '/CN=mallory']);
  const broker = signed(dir, 'broker', '/CN=localhost', ca, BROKER_EXTENSIONS);
  openssl(dir, ['pkey', '-in', broker.key, '-aes256', '-passout', `pass:${ENCRYPTED_KEY_PASSWORD}`, '-out', 'broker-encrypted.key']);
  const encryptedBrokerKeystore = keystoreOf(dir, 'broker-encrypted', join(dir, 'broker-encrypted.key'), broker.cert).keystore;
  return {
    dir,
    ca,
    broker,
    encryptedBrokerKeystore,
    client: signed(dir, 'client', '/O=Fjord Tests/CN=alice', ca, CLIENT_EXTENSIONS),
    etcdServer: signed(dir, 'etcd-server', '/CN=etcd', ca, ETCD_SERVER_EXTENSIONS),
    otherCa,
    otherBroker: signed(dir, 'other-broker', '/CN=localhost', otherCa, BROKER_EXTENSIONS),
    otherClient: signed(dir, 'other-client', '/CN=alice', otherCa, CLIENT_EXTENSIONS),
    selfSignedClient: keystoreOf(dir, 'self-signed', selfKey, join(dir, 'self-signed.pem')),
  };
}
