/**
 * Backpressure of the sidecar's series path against a FAKE Prometheus remote-read endpoint: a
 * fake because the real one cannot be made to stream without end. Its frames are valid
 * (prompb messages, CRC-32C); it writes as fast as the socket takes them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFrom } from '../../core/labels/labels.ts';
import { newMatcher } from '../../core/labels/matcher.ts';
import { decodeSeriesFrame } from '../../core/storeapi/codec.ts';
import { readFrames } from '../../core/storeapi/framing.ts';
import { prometheus } from '../../core/storeapi/proto/gen/prompb.js';
import { streamedFrame } from '../../test/helpers/remote-read-frame.ts';
import { PrometheusClient } from '../prometheus/client.ts';
import { PrometheusStore } from './prometheus-store.ts';

const SERIES_LIMIT = 30_000; // ~31 MB of frames: far more than socket buffers hold (~6 MB here)
let server: Server;
let written = 0;
let url = '';

/** Prometheus's frame for fake series `i`. */
function frame(i: number): Uint8Array {
  const msg = prometheus.ChunkedReadResponse.encode({
    chunked_series: [
      {
        labels: [
          { name: '__name__', value: 'fake_metric' },
          { name: 'i', value: String(i).padStart(6, '0') },
        ],
        chunks: [
          { min_time_ms: 0, max_time_ms: 1000, type: 1, data: new Uint8Array(1000).fill(i & 0xff) },
        ],
      },
    ],
  }).finish();
  return streamedFrame(msg);
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    req.resume();
    res.writeHead(200, {
      'content-type': 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse',
    });
    for (let i = 0; i < SERIES_LIMIT && !res.destroyed; i++) {
      const f = frame(i);
      const ok = res.write(f);
      written += f.length;
      if (!ok) await new Promise((r) => (res.once('drain', r), res.once('close', r)));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('PrometheusStore series path (fake remote-read server)', () => {
  it('reads from Prometheus only as fast as its consumer takes the answer, and loses nothing', async () => {
    const store = new PrometheusStore(new PrometheusClient(url), {
      externalLabels: () => labelsFrom({ replica: 'a' }),
    });
    const request = {
      minTime: 0,
      maxTime: 10_000,
      matchers: [newMatcher('=', '__name__', 'fake_metric')],
      maxResolutionWindow: 0,
      aggregates: ['raw' as const],
      partialResponseStrategy: 'abort' as const,
      skipChunks: false,
    };
    const batches = store.encodedSeries(request)[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(first.done).toBe(false);
    const firstBytes = (first.value as Uint8Array).slice();
    // The consumer stalls: the agent must stop reading, so Prometheus stops being able to write.
    await new Promise((r) => setTimeout(r, 300));
    const stalledAt = written;
    await new Promise((r) => setTimeout(r, 500));
    expect(written).toBe(stalledAt);
    // What got written is socket buffers plus a batch, not the answer (~31 MB).
    expect(stalledAt).toBeLessThan(16 * 1024 * 1024);

    // Resume: every series arrives once, in order, with the external label.
    const all = async function* (): AsyncGenerator<Uint8Array> {
      yield firstBytes;
      for (let r = await batches.next(); !r.done; r = await batches.next()) yield r.value.slice();
    };
    let count = 0;
    for await (const bytes of readFrames(all())) {
      const f = decodeSeriesFrame(bytes);
      if (f.type !== 'series') throw new Error('unexpected warning');
      expect(f.labels).toEqual(
        labelsFrom({ __name__: 'fake_metric', i: String(count).padStart(6, '0'), replica: 'a' }),
      );
      expect(f.chunks[0]!.raw!.data[0]).toBe(count & 0xff);
      count++;
    }
    expect(count).toBe(SERIES_LIMIT);
  });
});
