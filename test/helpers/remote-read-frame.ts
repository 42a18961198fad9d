/**
 * One frame of Prometheus's streamed remote-read answer as Prometheus writes it: uvarint length,
 * 4-byte big-endian CRC-32C of the message, the message. `badCrc` flips a checksum bit.
 */
import { putUvarint, uvarintSize } from '../../core/varint.ts';
import { crc32c } from '../../core/tsdb/encoding.ts';

export function streamedFrame(message: Uint8Array, badCrc = false): Uint8Array {
  const out = new Uint8Array(uvarintSize(message.length) + 4 + message.length);
  const at = putUvarint(out, 0, message.length);
  new DataView(out.buffer).setUint32(at, (crc32c(message) ^ (badCrc ? 1 : 0)) >>> 0);
  out.set(message, at + 4);
  return out;
}
