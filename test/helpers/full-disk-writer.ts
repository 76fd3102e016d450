// Test helper: a metadata-file writer over the real one (write temp, fsync, rename) that fails as a full disk
// does, with ENOSPC, from now on or after a number of successful writes, until the space is freed.
// Test helper only.
import { writeFileAtomicSync } from '../../src/shared/atomic-file.js';

export class FullDiskWriter {
  private writesBeforeFull = Infinity;
  /** Writes attempted while the disk was full. */
  refused = 0;

  /** The seam: pass as `metadataFileWriter` (startBroker) or to StandaloneMetadata.open. */
  readonly write = (path: string, text: string): void => {
    if (this.writesBeforeFull <= 0) {
      this.refused++;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}.tmp'`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    this.writesBeforeFull--;
    writeFileAtomicSync(path, text);
  };

  /** The disk fills up after `writes` more successful writes (0: now). */
  fillAfter(writes = 0): void {
    this.writesBeforeFull = writes;
  }

  free(): void {
    this.writesBeforeFull = Infinity;
  }
}
