import { describe, expect, it } from 'vitest';
import { newMatcher } from '../../core/labels/matcher.ts';
import { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import { streamedFrame } from '../../test/helpers/remote-read-frame.ts';
import { encodeReadRequest, StreamedFrameSplitter } from './remote-read.ts';
import { snappyDecode } from '../../core/tsdb/wal/snappy.ts';

/** The messages of `bytes` handed to the splitter in pieces of `piece` bytes (frames cut anywhere). */
async function all(bytes: Uint8Array, piece: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const splitter = new StreamedFrameSplitter();
  for (let at = 0; at < bytes.length; at += piece) {
    const chunk = bytes.slice(at, at + piece);
    splitter.push(chunk, { push: (m) => void out.push(m.slice()) });
    // Messages are views valid only during the call: the chunk may be reused afterwards.
    chunk.fill(0xee);
  }
  splitter.end();
  return out;
}

describe('remote read framing', () => {
  const a = prometheus.ChunkedReadResponse.encode({
    chunked_series: [
      {
        labels: [{ name: '__name__', value: 'up' }],
        chunks: [{ min_time_ms: 1, max_time_ms: 2, type: 1, data: new Uint8Array(300).fill(7) }],
      },
    ],
  }).finish();
  const b = prometheus.ChunkedReadResponse.encode({ chunked_series: [], query_index: 0 }).finish();

  it('splits frames however the stream is cut, checking CRC-32C', async () => {
    const bytes = new Uint8Array([...streamedFrame(a), ...streamedFrame(b), ...streamedFrame(a)]);
    for (const piece of [1, 3, 7, 64, 305, 306, 10_000]) {
      const frames = await all(bytes, piece);
      expect(frames.map((f) => Buffer.from(f).toString('hex'))).toEqual(
        [a, b, a].map((f) => Buffer.from(f).toString('hex')),
      );
      expect(
        prometheus.ChunkedReadResponse.decode(frames[0]!).chunked_series[0]!.chunks![0]!.data!
          .length,
      ).toBe(300);
    }
  });

  it('rejects a checksum mismatch and a stream cut inside a frame', async () => {
    await expect(all(streamedFrame(a, true), 5)).rejects.toThrow(/checksum/);
    await expect(all(streamedFrame(a).subarray(0, 100), 5)).rejects.toThrow(
      /ends inside a frame \(100 bytes left\)/,
    );
    await expect(all(streamedFrame(a).subarray(0, 1), 1)).rejects.toThrow(/ends inside a frame/);
  });

  it('encodes a snappy ReadRequest asking for streamed XOR chunks', () => {
    const req = prometheus.ReadRequest.decode(
      snappyDecode(
        encodeReadRequest({
          start: 10,
          end: 20,
          matchers: [newMatcher('=~', 'job', 'a|b'), newMatcher('!=', 'x', '')],
        }),
      ),
    );
    expect(req.accepted_response_types).toEqual([
      prometheus.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS,
    ]);
    const q = req.queries[0]!;
    expect([Number(q.start_timestamp_ms), Number(q.end_timestamp_ms)]).toEqual([10, 20]);
    expect(q.matchers!.map((m) => [m.type, m.name, m.value])).toEqual([
      [prometheus.LabelMatcher.Type.RE, 'job', 'a|b'],
      [prometheus.LabelMatcher.Type.NEQ, 'x', ''],
    ]);
  });
});
