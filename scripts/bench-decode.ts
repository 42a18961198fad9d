/**
 * @module scripts/bench-decode — XOR chunk decode throughput on one core: the WASM batch kernel
 * vs the TypeScript reference decoder over the same 120-sample chunks. Two data sets: regular
 * 15s scrapes of slowly changing counters/gauges, and irregular timestamps with random floats.
 * Prints the median (and best) of several repetitions in samples per CPU-second, and the
 * WASM/TS ratio. CPU time rather than wall time, because the machine may be shared; the best
 * repetition is the closest to an idle core.
 *
 * Then CRC-32C throughput: the JS slicing-by-8 reference vs the WASM kernel (including its copy
 * into WASM memory) per input size, the sizes around the crossover, and chunk-sized ranges of one
 * buffer checksummed one by one vs in one batch (`crc32cRanges`), in GB per CPU-second.
 *
 *   npm run bench:decode [-- --chunks 20000 --batch 250 --reps 9] [-- --crc-only]
 */
import { Random } from '../test/helpers/random.ts';
import { XorAppender, decodeXor, xorSampleCount } from '../core/chunkenc/xor.ts';
import { crc32cJs, crc32cRanges, installCrc32cKernel } from '../core/tsdb/crc32c.ts';
import { loadCrc32cKernelNode, newXorCodecNode } from '../sidecar-agent/wasm.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const CHUNKS = arg('chunks', 20_000);
// 250 chunks ≈ 30k samples ≈ 480 KB of output columns: stays in L2; larger batches measure L3.
const BATCH = arg('batch', 250);
const REPS = arg('reps', 9);
const SAMPLES_PER_CHUNK = 120;

/** Regular scrapes: 15s apart (a few ms of jitter on 2% of scrapes); counters or slow gauges. */
function regularChunk(seed: number): Uint8Array {
  const r = new Random(seed);
  const app = new XorAppender();
  let t = 1_700_000_000_000 + r.int(15_000);
  const counter = r.chance(0.5);
  let v = r.int(1e6);
  for (let i = 0; i < SAMPLES_PER_CHUNK; i++) {
    t += 15_000 + (r.chance(0.02) ? r.int(9) - 4 : 0);
    if (counter) v += r.chance(0.3) ? 0 : r.int(20);
    else if (r.chance(0.2)) v = Math.round((v + (r.next() - 0.5) * 100) * 10) / 10;
    app.append(t, v);
  }
  return app.bytes();
}

/** Irregular timestamps (0-60s apart) and random floats. */
function irregularChunk(seed: number): Uint8Array {
  const r = new Random(seed);
  const app = new XorAppender();
  let t = 1_700_000_000_000;
  for (let i = 0; i < SAMPLES_PER_CHUNK; i++) {
    t += 1 + r.int(60_000);
    app.append(t, r.next() * 1000);
  }
  return app.bytes();
}

/**
 * Chunks laid out in one buffer with segment-like framing, as a store gateway fetches a stretch
 * of a chunk segment: the buffer, each chunk's start and length, and the chunks as subarrays.
 */
function segment(make: (seed: number) => Uint8Array) {
  const parts = Array.from({ length: CHUNKS }, (_, i) => make(i + 1));
  const buf = new Uint8Array(parts.reduce((a, c) => a + c.length + 6, 0));
  const starts = new Uint32Array(CHUNKS);
  const lengths = new Uint32Array(CHUNKS);
  let p = 0;
  const subs = parts.map((c, i) => {
    p += 2; // length uvarint + encoding byte
    buf.set(c, p);
    starts[i] = p;
    lengths[i] = c.length;
    const sub = buf.subarray(p, p + c.length);
    p += c.length + 4; // CRC
    return sub;
  });
  return { buf, starts, lengths, subs };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** CPU seconds of `fn()`. */
function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

async function crcBench(): Promise<void> {
  const kernel = await loadCrc32cKernelNode();
  const r = new Random(99);
  const buf = new Uint8Array(8 << 20);
  for (let i = 0; i < buf.length; i++) buf[i] = r.int(256);
  let sink = 0;
  /** Median and best GB per CPU-second of `once` (which checksums `bytes` bytes), ~40 ms a run. */
  function gbps(bytes: number, once: (k: number) => number): [number, number] {
    const iters = Math.max(1, Math.round(64e6 / bytes));
    const run = (): number =>
      cpuSeconds(() => {
        for (let k = 0; k < iters; k++) sink ^= once(k);
      });
    run();
    run();
    const rates: number[] = [];
    for (let rep = 0; rep < REPS; rep++) rates.push((iters * bytes) / run() / 1e9);
    return [median(rates), Math.max(...rates)];
  }
  const fmt = ([med, best]: [number, number]): string =>
    `${med.toFixed(2).padStart(5)} GB/s (best ${best.toFixed(2)})`;
  console.log(`\nCRC-32C, GB per CPU-second, median of ${REPS} (WASM includes the copy in)`);
  const span = buf.length - (1 << 20);
  for (const size of [16, 64, 256, 512, 1024, 2048, 4096, 1 << 20]) {
    // Start offsets walk the buffer (odd steps: every alignment) so small sizes are not all L1 hits.
    const at = (k: number): number => (k * 4099) % (span - size);
    const js = gbps(size, (k) => crc32cJs(buf, 0, at(k), at(k) + size));
    const wasm = gbps(size, (k) => kernel.crc32c(buf, 0, at(k), at(k) + size));
    const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    console.log(
      `  ${label.padStart(8)}  JS ${fmt(js)}  WASM ${fmt(wasm)}  ${(wasm[0] / js[0]).toFixed(2)}x`,
    );
  }
  // Chunks as a chunk reader meets them: 60-400 B ranges of a 64 KiB read, one by one vs batched.
  const read = buf.subarray(0, 64 * 1024);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let p = 0; p + 400 < read.length; p += 6) {
    starts.push(p);
    p += 60 + r.int(340);
    ends.push(p);
  }
  const bytes = ends.reduce((a, e, i) => a + e - starts[i]!, 0);
  const out = new Uint32Array(starts.length);
  const each = gbps(bytes, () => {
    let x = 0;
    for (let i = 0; i < starts.length; i++) x ^= crc32cJs(read, 0, starts[i]!, ends[i]!);
    return x;
  });
  installCrc32cKernel(kernel);
  const batch = gbps(bytes, () => crc32cRanges(read, starts, ends, out)[0]!);
  installCrc32cKernel(undefined);
  console.log(
    `  ${starts.length} chunks of ~${Math.round(bytes / starts.length)} B in a 64 KiB read: ` +
      `JS one by one ${fmt(each)}, WASM crc32cRanges ${fmt(batch)}  ${(batch[0] / each[0]).toFixed(2)}x`,
  );
  if (sink === 42) console.log('');
}

async function main(): Promise<void> {
  if (process.argv.includes('--crc-only')) return crcBench();
  const codec = await newXorCodecNode();
  const outT = new Float64Array(BATCH * SAMPLES_PER_CHUNK);
  const outV = new Float64Array(BATCH * SAMPLES_PER_CHUNK);
  let sink = 0;

  function runTs(chunks: Uint8Array[]): number {
    let total = 0;
    for (let b = 0; b < chunks.length; b += BATCH) {
      let k = 0;
      const end = Math.min(chunks.length, b + BATCH);
      for (let i = b; i < end; i++) k += decodeXor(chunks[i]!, -Infinity, Infinity, outT, outV, k);
      sink += outT[k - 1]!;
      total += k;
    }
    return total;
  }

  /** WASM over a list of chunk subarrays (one copy into WASM memory per chunk). */
  function runWasm(chunks: Uint8Array[]): number {
    let total = 0;
    for (let b = 0; b < chunks.length; b += BATCH) {
      const res = codec.decode(chunks.slice(b, b + BATCH), -Infinity, Infinity);
      sink += res.t[res.count - 1]!;
      total += res.count;
    }
    return total;
  }

  /** WASM over ranges of the segment buffer (one copy per batch). */
  function runWasmRanges(seg: ReturnType<typeof segment>): number {
    let total = 0;
    for (let b = 0; b < CHUNKS; b += BATCH) {
      const e = Math.min(CHUNKS, b + BATCH);
      const from = seg.starts[b]!;
      const to = seg.starts[e - 1]! + seg.lengths[e - 1]!;
      const starts = seg.starts.subarray(b, e).map((s) => s - from);
      const res = codec.decodeRanges(
        seg.buf.subarray(from, to),
        starts,
        seg.lengths.subarray(b, e),
        -Infinity,
        Infinity,
      );
      sink += res.t[res.count - 1]!;
      total += res.count;
    }
    return total;
  }

  /** [median, best] samples per CPU-second. */
  function measure(fn: () => number): [number, number] {
    fn(); // warm up (JIT tiers, WASM memory growth)
    fn();
    const rates: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      // CPU time of this process, not wall time: the machine may be shared, and the question is
      // throughput per core.
      const c0 = process.cpuUsage();
      const n = fn();
      const c = process.cpuUsage(c0);
      rates.push(n / ((c.user + c.system) / 1e6));
    }
    return [median(rates), Math.max(...rates)];
  }

  const fmt = ([med, best]: [number, number]): string =>
    `${(med / 1e6).toFixed(1).padStart(6)}M/s (best ${(best / 1e6).toFixed(1)}M)`;
  console.log(
    `XOR decode, ${CHUNKS} chunks x ${SAMPLES_PER_CHUNK} samples, batches of ${BATCH} chunks; ` +
      `samples per CPU-second, median of ${REPS}`,
  );
  for (const [name, make] of [
    ['regular 15s scrapes', regularChunk],
    ['irregular t, random floats', irregularChunk],
  ] as const) {
    const seg = segment(make);
    const bytes = seg.lengths.reduce((a, c) => a + c, 0);
    const samples = seg.subs.reduce((a, c) => a + xorSampleCount(c), 0);
    const ts = measure(() => runTs(seg.subs));
    const list = measure(() => runWasm(seg.subs));
    const ranges = measure(() => runWasmRanges(seg));
    console.log(`\n${name}: ${(bytes / samples).toFixed(2)} bytes/sample`);
    console.log(`  TS decoder            ${fmt(ts)}`);
    console.log(`  WASM decode(list)     ${fmt(list)}  ${(list[0] / ts[0]).toFixed(2)}x TS`);
    console.log(`  WASM decodeRanges     ${fmt(ranges)}  ${(ranges[0] / ts[0]).toFixed(2)}x TS`);
  }
  if (sink === 42) console.log('');
  await crcBench();
}

await main();
