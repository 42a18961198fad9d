/**
 * Test Worker for chunkenc-workerd.test.ts: decodes (and re-encodes) XOR chunks posted to it with
 * the WASM codec loaded through worker/wasm.ts, i.e. the CompiledWasm import as deployed.
 * Request body: u32 count, count × u32 length, then the chunks back to back (little-endian).
 */
import { loadXorCodec } from '../../../worker/wasm.ts';

export default {
  async fetch(req: Request): Promise<Response> {
    const body = new Uint8Array(await req.arrayBuffer());
    const dv = new DataView(body.buffer);
    const n = dv.getUint32(0, true);
    const chunks: Uint8Array[] = [];
    let p = 4 + 4 * n;
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(4 + 4 * i, true);
      chunks.push(body.subarray(p, p + len));
      p += len;
    }
    const url = new URL(req.url);
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
