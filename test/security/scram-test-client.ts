// A SCRAM client written straight from RFC 5802 §3 with node:crypto, independent of src/security: it builds
// client-first and client-final and checks the server's signature. Test helper only.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export class ScramTestClient {
  private authMessage = '';
  private saltedPassword = Buffer.alloc(0);

  constructor(
    private readonly algorithm: 'sha256' | 'sha512',
    private readonly user: string,
    private readonly password: string,
    readonly clientNonce: string,
    readonly gs2Header = 'n,,',
  ) {}

  get bare(): string {
    return `n=${this.user.replaceAll('=', '=3D').replaceAll(',', '=2C')},r=${this.clientNonce}`;
  }

  first(): Buffer {
    return Buffer.from(this.gs2Header + this.bare);
  }

  /** client-final for this server-first; `channelBinding` overrides c=, `nonce` overrides r=. */
  final(serverFirst: Buffer, overrides: { channelBinding?: string; nonce?: string } = {}): Buffer {
    const attrs = new Map(
      serverFirst
        .toString()
        .split(',')
        .map((part) => [part[0], part.slice(2)] as const),
    );
    const bytes = this.algorithm === 'sha256' ? 32 : 64;
    this.saltedPassword = pbkdf2Sync(this.password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), bytes, this.algorithm);
    const channelBinding = overrides.channelBinding ?? Buffer.from(this.gs2Header).toString('base64');
    const withoutProof = `c=${channelBinding},r=${overrides.nonce ?? attrs.get('r')}`;
    this.authMessage = `${this.bare},${serverFirst.toString()},${withoutProof}`;
    const clientKey = this.mac(this.saltedPassword, 'Client Key');
    const signature = this.mac(createHash(this.algorithm).update(clientKey).digest(), this.authMessage);
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  /** Whether server-final carries the signature only a server holding ServerKey can compute. */
  serverFinalHolds(serverFinal: Buffer): boolean {
    const expected = this.mac(this.mac(this.saltedPassword, 'Server Key'), this.authMessage);
    return serverFinal.toString() === `v=${expected.toString('base64')}`;
  }

  private mac(key: Buffer, data: string): Buffer {
    return createHmac(this.algorithm, key).update(data).digest();
  }
}
