/**
 * Test Worker for chunkenc-workerd.test.ts: decodes (and re-encodes) XOR chunks posted to it with
 * the WASM codec loaded through worker/wasm.ts, i.e. the CompiledWasm import as deployed.
 * Request body: u32 count, count × u32 length, then the chunks back to back (little-endian).
 * `POST /crc` instead checksums the body with the WASM CRC-32C kernel installed as worker/index.ts
 * installs it.
 */
import { crc32c, crc32cKernel, crc32cRanges } from '../../../core/tsdb/crc32c.ts';
import { installCrc32cKernelWorker, loadXorCodec } from '../../../worker/wasm.ts';

// As worker/index.ts does at startup.
installCrc32cKernelWorker();

export default {
  async fetch(req: Request): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    const url = new URL(req.url);
    if (url.pathname === '/crc') {
      // CRC-32C of the whole body and of each 1000-byte stretch as one batch, by the installed kernel.
      const starts: number[] = [];
      const ends: number[] = [];
      for (let p = 0; p < body.length; p += 1000) {
        starts.push(p);
        ends.push(Math.min(body.length, p + 1000));
      }
      return Response.json({
        installed: crc32cKernel() !== undefined,
        whole: crc32c(body),
        ranges: Array.from(crc32cRanges(body, starts, ends)),
      });
    }
    const dv = new DataView(body.buffer);
    const n = dv.getUint32(0, true);
    const chunks: Uint8Array[] = [];
    let p = 4 + 4 * n;
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(4 + 4 * i, true);
      chunks.push(body.subarray(p, p + len));
      p += len;
    }
    const mint = Number(url.searchParams.get('mint') ?? -Infinity);
    const maxt = Number(url.searchParams.get('maxt') ?? Infinity);
    const codec = await loadXorCodec();
    const res = codec.decode(chunks, mint, maxt, { copy: true });
    // Re-encode each chunk's samples (unclipped) to check the encode kernel here too.
    const all = codec.decode(chunks, -Infinity, Infinity, { copy: true });
    const series = chunks.map((_, i) => ({
      t: all.t.subarray(all.offsets[i]!, all.offsets[i + 1]!),
      v: all.v.subarray(all.offsets[i]!, all.offsets[i + 1]!),
    }));
    const reencoded = codec.encode(series).map((c) => Array.from(c));
    return Response.json({
      t: Array.from(res.t),
      vBits: Array.from(new Uint32Array(res.v.buffer, res.v.byteOffset, res.count * 2)),
      offsets: Array.from(res.offsets),
      reencoded,
    });
  },
};
