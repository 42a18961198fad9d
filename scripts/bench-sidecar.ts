/**
 * @module scripts/bench-sidecar — series streamed through the sidecar agent's StoreAPI against
 * reading Prometheus's remote read (STREAMED_XOR_CHUNKS) directly, same data, same run.
 *
 * Builds BENCH_SERIES × BENCH_SAMPLES samples into a block with promtool, starts the real
 * Prometheus 2.42 on it (external labels set by a reload), starts `thanos-edge sidecar` as its own
 * process (its esbuild bundle, as installed), then alternates BENCH_RUNS full reads of every
 * series each way: direct remote read, the agent's HTTP StoreAPI and its gRPC StoreAPI
 * (thanos.Store/Series over one HTTP/2 connection, as a Thanos Querier keeps one). Prints the
 * throughput of each (samples/s, median), the ratios, the agent's CPU per read and its peak RSS
 * (VmHWM from /proc: over its life, and while streaming after warm-up).
 *
 *   npm run bench:sidecar           # BENCH_SERIES=2000 BENCH_SAMPLES=1200 BENCH_RUNS=15 BENCH_WARMUP=3
 *   BENCH_GRPC=0                    # without the gRPC path; BENCH_GRPC_ENCODING=snappy|gzip compresses it
 *   BENCH_HTTP=0                    # without the HTTP path (the gRPC path's own peak RSS)
 *   BENCH_DEBUG=1                   # also memory maps, heap spaces, the first read's peak; BENCH_PAUSE_MS=n waits after start (attach a tracer)
 *   BENCH_AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   # Node flags for the agent
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:http2';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newMatcher } from '../core/labels/matcher.ts';
import { decodeSeriesFrame, encodeSeriesRequest } from '../core/storeapi/codec.ts';
import { readFrames } from '../core/storeapi/framing.ts';
import { HttpStore, PROTOBUF_CONTENT_TYPE } from '../core/storeapi/http-client.ts';
import { remoteRead } from '../sidecar-agent/prometheus/remote-read.ts';
import { StreamingPost } from '../sidecar-agent/prometheus/streaming-post.ts';
import { installCrc32cKernelNode } from '../sidecar-agent/wasm.ts';
import { startPrometheusOnTsdb } from '../test/helpers/prometheus-tsdb.ts';
import { rawGrpcCall } from '../test/helpers/grpc-raw-client.ts';
import { promtoolCreateBlocks } from '../test/helpers/promtool.ts';
import { makeTmpDir } from '../test/helpers/tmp.ts';
import { buildAgent } from './build-agent.mjs';
import { cpuMs, procMemory } from './lib/proc.ts';

const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1200);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const STEP = 15_000;
const T0 = 1_700_000_000_000;
const TOKEN = 'bench';
const GRPC = process.env.BENCH_GRPC !== '0';
/** BENCH_HTTP=0: the gRPC path alone (its own peak RSS). */
const HTTP = process.env.BENCH_HTTP !== '0';
const GRPC_ENCODING = (process.env.BENCH_GRPC_ENCODING ?? 'identity') as
  'identity' | 'gzip' | 'snappy';

function openMetrics(): string {
  const out: string[] = ['# TYPE bench_metric gauge'];
  for (let i = 0; i < SAMPLES; i++) {
    const t = (T0 + i * STEP) / 1000;
    for (let s = 0; s < SERIES; s++)
      out.push(`bench_metric{series="${s}",pod="pod-${s % 50}"} ${(s * 7 + i * 0.5) % 1000} ${t}`);
  }
  out.push('# EOF', '');
  return out.join('\n');
}

/** A /proc/<pid>/status memory field in MB. */
async function vm(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  return (await procMemory(pid, field)) / 1024 / 1024;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const tmp = await makeTmpDir('bench-sidecar-');
  const cleanup: (() => Promise<unknown>)[] = [() => tmp.remove()];
  try {
    await buildAgent();
    // The gRPC client here checks snappy chunks' CRC-32C: with the WASM kernel, as a Go client would be fast.
    await installCrc32cKernelNode();
    process.stderr.write(`building ${SERIES} series × ${SAMPLES} samples with promtool…\n`);
    const { db } = await promtoolCreateBlocks(openMetrics(), tmp.path);
    const prom = await startPrometheusOnTsdb(db, tmp.path);
    cleanup.unshift(() => prom.stop());
    await prom.reload('global:\n  external_labels:\n    cluster: bench\n    replica: "0"\n');

    // The bin run as a program, as a user's `thanos-edge sidecar` (its launcher line gives Node
    // the agent's flags).
    const agent = spawn(
      join(import.meta.dirname, '..', 'sidecar-agent', 'bin', 'thanos-edge.mjs'),
      [
        'sidecar',
        `--prometheus.url=${prom.url}`,
        '--http-address=127.0.0.1:0',
        '--grpc-address=127.0.0.1:0',
      ],
      {
        stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'pipe'],
        env: {
          ...process.env,
          STORE_TOKEN: TOKEN,
          // e.g. BENCH_AGENT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the agent.
          THANOS_EDGE_NODE_ARGS: process.env.BENCH_AGENT_NODE_ARGS ?? '',
        },
      },
    );
    const agentExit = new Promise((r) => agent.once('exit', r));
    cleanup.unshift(async () => {
      agent.kill('SIGTERM');
      await agentExit;
    });
    let url = '';
    let grpcAddress = '';
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: agent.stderr! }).on('line', (l) => {
        url ||= /listening on (http:\/\/[^\s"]+)/.exec(l)?.[1] ?? '';
        grpcAddress ||= /listening for gRPC on ([^\s"]+)/.exec(l)?.[1] ?? '';
        if (url && grpcAddress) resolve();
      });
      agent.once('exit', (c) => reject(new Error(`agent exited ${c}`)));
    });
    const idleRss = await vm(agent.pid!, 'VmRSS');
    const idleHwm = await vm(agent.pid!, 'VmHWM');
    const rollup = async (tag: string) => {
      if (!process.env.BENCH_DEBUG) return;
      const r = await readFile(`/proc/${agent.pid}/smaps_rollup`, 'utf8');
      console.log(
        tag,
        r
          .split('\n')
          .filter((l) => /^(Rss|Anonymous|Private_Clean|Shared_Clean|Private_Dirty)/.test(l))
          .map((l) => l.replace(/\s+/g, ' '))
          .join(' | '),
      );
    };
    await rollup('idle');
    if (process.env.BENCH_PAUSE_MS) {
      console.log(`agent pid ${agent.pid}: pausing ${process.env.BENCH_PAUSE_MS} ms`);
      await new Promise((r) => setTimeout(r, Number(process.env.BENCH_PAUSE_MS)));
    }
    const store = new HttpStore(url, { token: TOKEN });
    const matchers = [newMatcher('=', '__name__', 'bench_metric')];
    const mint = T0;
    const maxt = T0 + SAMPLES * STEP;

    let chunkBytes = 0;
    const direct = async (): Promise<number> => {
      let n = 0;
      chunkBytes = 0;
      for await (const s of remoteRead(prom.url, { start: mint, end: maxt, matchers })) {
        for (const c of s.chunks ?? []) {
          n += (c.data![0]! << 8) | c.data![1]!;
          chunkBytes += c.data!.length;
        }
      }
      return n;
    };
    const viaAgent = async (): Promise<number> => {
      let n = 0;
      const req = {
        minTime: mint,
        maxTime: maxt,
        matchers,
        maxResolutionWindow: 0,
        aggregates: ['raw' as const],
        partialResponseStrategy: 'abort' as const,
        skipChunks: false,
      };
      // The same HTTP client as the direct path (StreamingPost), so the two differ by the agent
      // alone; frames decoded with the codec HttpStore uses.
      const res = await StreamingPost.open(
        new URL(`${url}/api/v1/store/series`),
        { 'content-type': PROTOBUF_CONTENT_TYPE, authorization: `Bearer ${TOKEN}` },
        encodeSeriesRequest(req),
      );
      if (res.status !== 200) throw new Error(`agent: HTTP ${res.status}: ${await res.text()}`);
      for await (const frame of readFrames(res.body(), 'agent')) {
        const f = decodeSeriesFrame(frame);
        if (f.type === 'series')
          for (const c of f.chunks) n += (c.raw!.data[0]! << 8) | c.raw!.data[1]!;
      }
      return n;
    };

    // One HTTP/2 connection for every gRPC read, as a Thanos Querier keeps one per store.
    const session = connect(`http://${grpcAddress}`);
    cleanup.unshift(async () => session.close());
    const seriesRequest = encodeSeriesRequest({
      minTime: mint,
      maxTime: maxt,
      matchers,
      maxResolutionWindow: 0,
      aggregates: ['raw'],
      partialResponseStrategy: 'abort',
      skipChunks: false,
    });
    const viaGrpc = async (): Promise<number> => {
      let n = 0;
      const r = await rawGrpcCall(grpcAddress, '/thanos.Store/Series', seriesRequest, {
        session,
        encoding: GRPC_ENCODING,
        onMessage: (m) => {
          const f = decodeSeriesFrame(m);
          if (f.type === 'series')
            for (const c of f.chunks) n += (c.raw!.data[0]! << 8) | c.raw!.data[1]!;
        },
      });
      if (r.status !== 0) throw new Error(`agent gRPC: status ${r.status}: ${r.message}`);
      return n;
    };

    if (process.env.BENCH_DEBUG) {
      await store.info();
      console.log('after info: HWM', await vm(agent.pid!, 'VmHWM'));
      await viaAgent();
      console.log('after one agent read: HWM', await vm(agent.pid!, 'VmHWM'));
      await rollup('after one read');
      await direct();
    }
    const dt: number[] = [];
    const at: number[] = [];
    const gt: number[] = [];
    let samples = 0;
    // Warm every path up (JIT in the agent and here) before timing.
    for (let i = 0; i < WARMUP; i++) {
      await direct();
      if (HTTP) await viaAgent();
      if (GRPC) await viaGrpc();
    }
    const startupHwm = await vm(agent.pid!, 'VmHWM');
    // Reset the agent's peak-RSS mark (Linux clear_refs 5): the peak below is the steady streaming
    // one; the lifetime peak is the larger of both (the first reads cost more than later ones).
    await writeFile(`/proc/${agent.pid}/clear_refs`, '5').catch(() => undefined);
    let agentCpu = 0;
    let grpcCpu = 0;
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      samples = await direct();
      dt.push(performance.now() - t);
      t = performance.now();
      const cpu0 = await cpuMs(agent.pid!);
      const s2 = HTTP ? await viaAgent() : samples;
      at.push(performance.now() - t);
      agentCpu += (await cpuMs(agent.pid!)) - cpu0;
      if (s2 !== samples) throw new Error(`agent returned ${s2} samples, Prometheus ${samples}`);
      if (GRPC) {
        t = performance.now();
        const c0 = await cpuMs(agent.pid!);
        const s3 = await viaGrpc();
        gt.push(performance.now() - t);
        grpcCpu += (await cpuMs(agent.pid!)) - c0;
        if (s3 !== samples)
          throw new Error(`agent gRPC returned ${s3} samples, Prometheus ${samples}`);
      }
    }
    const hwm = await vm(agent.pid!, 'VmHWM');
    await rollup('after');
    if (process.env.BENCH_DEBUG) {
      const m = await (await fetch(`${url}/metrics`)).text();
      console.log(
        m
          .split('\n')
          .filter((l) =>
            /^(nodejs_heap_space_size_total|nodejs_external|process_resident|nodejs_heap_size)/.test(
              l,
            ),
          )
          .join('\n'),
      );
    }
    const dThr = samples / (median(dt) / 1000);
    const aThr = samples / (median(at) / 1000);
    console.log(
      `samples per read: ${samples} (${SERIES} series, ${(chunkBytes / 2 ** 20).toFixed(1)} MiB of chunks)`,
    );
    console.log(
      `direct remote read: median ${median(dt).toFixed(0)} ms, ${(dThr / 1e6).toFixed(2)} M samples/s`,
    );
    if (HTTP)
      console.log(
        `through the agent:  median ${median(at).toFixed(0)} ms, ${(aThr / 1e6).toFixed(2)} M samples/s`,
      );
    if (HTTP)
      console.log(
        `agent CPU per read: ${(agentCpu / RUNS).toFixed(1)} ms (mean; clock ticks of 10 ms)`,
      );
    if (HTTP) console.log(`ratio agent/direct: ${(aThr / dThr).toFixed(2)}x (goal ≥ 0.8x)`);
    if (GRPC) {
      const gThr = samples / (median(gt) / 1000);
      console.log(
        `through the agent's gRPC (${GRPC_ENCODING}): median ${median(gt).toFixed(0)} ms, ${(gThr / 1e6).toFixed(2)} M samples/s`,
      );
      console.log(`agent CPU per gRPC read: ${(grpcCpu / RUNS).toFixed(1)} ms (mean)`);
      console.log(`ratio agent gRPC/direct: ${(gThr / dThr).toFixed(2)}x (goal ≥ 0.8x)`);
    }
    console.log(
      `agent peak RSS: ${Math.max(hwm, startupHwm).toFixed(1)} MB over its life (goal ≤ 80 MB); ` +
        `${hwm.toFixed(1)} MB while streaming after the warm-up; idle after start ${idleRss.toFixed(1)} MB (peak ${idleHwm.toFixed(1)} MB)`,
    );
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}

await main();
