// `fjord dump-segment FILE [--records]`: prints every batch of a .log segment file read straight from disk
// (offsets, count, timestamps, codec, producer id, CRC check), like Kafka's kafka-dump-log, and with
// --records each record. Exits 1 when a batch fails its CRC check or the file ends in a torn batch.
// Runs on the main thread.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { codecName, uncompressedBatch } from '../../client/record-batches.js';
import { decodeRecordBatches } from '../../shared/record-batch-codec.js';
import { CliError } from '../cli-errors.js';
import { note, write } from '../output.js';
import { readSegment, type SegmentBatch } from '../segment-reader.js';

export function registerDumpSegment(program: Command): void {
  program
    .command('dump-segment')
    .description('print the batches of a .log segment file and check their CRCs (like kafka-dump-log)')
    .argument('<file>', 'a segment file, e.g. data/orders-0/00000000000000000000.log')
    .option('-r, --records', 'also print every record (offset, timestamp, key, value, headers)')
    .action((file: string, flags: { records?: boolean }) => dump(file, flags.records === true));
}

function batchLine(b: SegmentBatch): string {
  const lastSequence = b.baseSequence < 0 ? -1 : b.baseSequence + (b.lastOffset - b.baseOffset);
  return (
    `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.count} baseSequence: ${b.baseSequence} lastSequence: ${lastSequence} ` +
    `producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional} ` +
    `isControl: ${b.isControl} position: ${b.position} ${b.logAppendTime ? 'LogAppendTime' : 'CreateTime'}: ${b.maxTimestamp} size: ${b.bytes.length} ` +
    `magic: ${b.magic} compresscodec: ${codecName(b.codec)} crc: ${b.crcStored} isvalid: ${b.crcStored === b.crcComputed}\n`
  );
}

async function recordLines(b: SegmentBatch): Promise<string> {
  if (b.isControl) return `| control batch (transaction marker)\n`;
  const text = (bytes: Buffer | null) => (bytes === null ? 'null' : JSON.stringify(bytes.toString('utf8')));
  return decodeRecordBatches(await uncompressedBatch(b.bytes))
    .map((r) => {
      const sequence = b.baseSequence < 0 ? -1 : b.baseSequence + (r.offset - b.baseOffset);
      const headers = r.headers.map((h) => `${h.key}=${h.value === null ? 'null' : h.value.toString('utf8')}`).join(',');
      return `| offset: ${r.offset} ${b.logAppendTime ? 'LogAppendTime' : 'CreateTime'}: ${r.timestamp} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1} sequence: ${sequence} headers: [${headers}] key: ${text(r.key)} payload: ${text(r.value)}\n`;
    })
    .join('');
}

async function dump(file: string, withRecords: boolean): Promise<void> {
  if (!file.endsWith('.log'))
    throw new CliError(`${file} is not a segment file`, 'give a .log file from a partition folder (indexes are derived and not dumped)');
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    throw new CliError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      'give the path of a .log file, e.g. data/orders-0/00000000000000000000.log',
    );
  }
  await write(`Dumping ${file}\n`);
  let count = 0;
  let invalid = 0;
  const torn = await readSegment(file, async (batch) => {
    count++;
    if (batch.crcStored !== batch.crcComputed) invalid++;
    await write(batchLine(batch));
    if (withRecords && batch.crcStored === batch.crcComputed) await write(await recordLines(batch));
  });
  if (torn !== null) await write(`torn tail at position ${torn.position}: ${torn.bytes} bytes that are not a whole batch (${torn.reason})\n`);
  note(`${count} batches, ${invalid} failing the CRC check${torn !== null ? ', a torn tail' : ''}`);
  if (invalid > 0 || torn !== null)
    throw new CliError(
      `${file} is damaged: ${invalid} bad batch(es)${torn !== null ? ` and a torn tail at position ${torn.position}` : ''}`,
      'the broker truncates such a log at the first bad batch when it recovers it',
    );
}
