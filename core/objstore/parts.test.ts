import { describe, expect, it } from 'vitest';
import { chunkedStream, patternBytes } from '../../test/helpers/bucket-acceptance.ts';
import { fixedParts, uploadBlob, uploadStream, type MultipartTarget } from './parts.ts';

/** The parts joined into one array. */
function joined(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const p of it) out.push(p);
  return out;
}

/** An in-memory multipart target that records calls, for the part-cutting logic only. */
function recorder(opts: { failPart?: number; delayMs?: number } = {}) {
  const log: string[] = [];
  const stored: Uint8Array[] = [];
  let inflight = 0;
  let peak = 0;
  const target: MultipartTarget<string, number> = {
    async single(bytes) {
      log.push(`single ${bytes.byteLength}`);
      stored.push(bytes);
    },
    async create() {
      log.push('create');
      return 'up1';
    },
    async part(_id, n, bytes) {
      inflight++;
      peak = Math.max(peak, inflight);
      await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
      inflight--;
      if (n === opts.failPart) throw new Error(`part ${n} failed`);
      stored[n - 1] = bytes;
      return n;
    },
    async complete(_id, parts) {
      log.push(`complete ${parts.join(',')}`);
    },
    async abort() {
      log.push('abort');
    },
  };
  return { target, log, stored, peak: () => peak };
}

describe('fixedParts', () => {
  it('cuts exact part sizes from uneven chunks and allocates only what exists', async () => {
    const bytes = patternBytes(2500, 2);
    const parts = await collect(fixedParts(chunkedStream(bytes, 333), 1000));
    expect(parts.map((p) => p.byteLength)).toEqual([1000, 1000, 500]);
    expect(joined(parts)).toEqual(bytes);
    const small = await collect(fixedParts(chunkedStream(patternBytes(61), 61), 64 * 1024 * 1024));
    expect(small.map((p) => p.buffer.byteLength)).toEqual([61]);
    expect(
      (await collect(fixedParts(chunkedStream(new Uint8Array(0)), 10))).map((p) => p.byteLength),
    ).toEqual([0]);
    expect(
      (await collect(fixedParts(chunkedStream(patternBytes(20), 7), 10))).map((p) => p.byteLength),
    ).toEqual([10, 10]);
  });
});

describe('uploadStream', () => {
  it('uses one request for a stream that fits in a part', async () => {
    const r = recorder();
    await uploadStream(chunkedStream(patternBytes(999), 100), 1000, r.target);
    expect(r.log).toEqual(['single 999']);
  });

  it('uploads parts concurrently and completes them in order', async () => {
    const r = recorder({ delayMs: 5 });
    const bytes = patternBytes(10_500, 4);
    await uploadStream(chunkedStream(bytes, 700), 1000, r.target, 3);
    expect(r.log).toEqual(['create', 'complete 1,2,3,4,5,6,7,8,9,10,11']);
    expect(joined(r.stored)).toEqual(bytes);
    expect(r.peak()).toBe(3);
  });

  it('aborts the upload when a part fails', async () => {
    const r = recorder({ failPart: 3 });
    await expect(
      uploadStream(chunkedStream(patternBytes(5000), 1000), 1000, r.target, 2),
    ).rejects.toThrow('part 3 failed');
    expect(r.log).toEqual(['create', 'abort']);
  });
});

describe('uploadBlob', () => {
  /** Records the bytes of each part (a Blob slice, read when "sent") and the calls made. */
  function blobTarget(failPart?: number) {
    const log: string[] = [];
    const parts: Uint8Array[] = [];
    let inflight = 0;
    let peak = 0;
    const target: MultipartTarget<string, number, Blob> = {
      async single(blob) {
        log.push(`single ${blob.size}`);
        parts.push(new Uint8Array(await blob.arrayBuffer()));
      },
      async create() {
        log.push('create');
        return 'up';
      },
      async part(_id, n, blob) {
        inflight++;
        peak = Math.max(peak, inflight);
        const bytes = new Uint8Array(await blob.arrayBuffer());
        await new Promise((r) => setTimeout(r, 2));
        inflight--;
        if (n === failPart) throw new Error(`part ${n} failed`);
        parts[n - 1] = bytes;
        return n;
      },
      async complete(_id, done) {
        log.push(`complete ${done.join(',')}`);
      },
      async abort() {
        log.push('abort');
      },
    };
    return { target, log, parts, peak: () => peak };
  }

  it('sends a Blob within one part in one request', async () => {
    const body = patternBytes(1000, 3);
    const r = blobTarget();
    await uploadBlob(new Blob([body as Uint8Array<ArrayBuffer>]), 4096, r.target);
    expect(r.log).toEqual(['single 1000']);
    expect(r.parts[0]).toEqual(body);
  });

  it('sends exact slices as numbered parts, at most `concurrency` at once', async () => {
    const body = patternBytes(10_000, 4);
    const r = blobTarget();
    await uploadBlob(new Blob([body as Uint8Array<ArrayBuffer>]), 3000, r.target, 2);
    expect(r.log).toEqual(['create', 'complete 1,2,3,4']);
    expect(r.parts.map((p) => p.length)).toEqual([3000, 3000, 3000, 1000]);
    expect(joined(r.parts)).toEqual(body);
    expect(r.peak()).toBe(2);
  });

  it('aborts the upload when a part fails, without completing it', async () => {
    const r = blobTarget(2);
    const body = new Blob([patternBytes(10_000, 5) as Uint8Array<ArrayBuffer>]);
    await expect(uploadBlob(body, 3000, r.target, 2)).rejects.toThrow('part 2 failed');
    expect(r.log).toContain('abort');
    expect(r.log.some((l) => l.startsWith('complete'))).toBe(false);
  });
});
