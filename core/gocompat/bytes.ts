/**
 * @module core/gocompat/bytes — byte sizes as Thanos's flags write them (alecthomas/units
 * Base2Bytes, which kingpin uses): `64MiB`, `512KB`, `1GB`, `100B`, or a bare number of bytes.
 * KB/MB/GB are powers of 1024 there too, as in Thanos.
 */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** Bytes of `s`; throws a message naming the input when it is not a size. */
export function parseBytes(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(s);
  const unit = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new Error(`cannot parse ${JSON.stringify(s)} as a byte size`);
  return Math.round(Number(m[1]) * unit);
}
