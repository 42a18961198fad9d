/**
 * @module test/helpers/miniflare — starts Miniflare (workerd) on a free loopback port with R2
 * bindings kept in memory, for tests of R2-backed code from Node and of Worker scripts.
 * Always `stop()` it (afterAll).
 */
import { Miniflare, type MiniflareOptions } from 'miniflare';

export interface MiniflareHandle {
  readonly mf: Miniflare;
  /** Base URL of the worker, e.g. `http://127.0.0.1:<port>/`. */
  readonly url: URL;
  /** The R2 binding `name` as a Node-side proxy (structurally an R2Bucket). */
  r2(name: string): ReturnType<Miniflare['getR2Bucket']>;
  stop(): Promise<void>;
}

export interface StartMiniflareOptions {
  /** R2 binding names (default `['BLOCKS']`). */
  readonly r2Buckets?: readonly string[];
  /** Worker module source (default: a worker answering 404); ignored if `scriptPath` or `modules` is set in `extra`. */
  readonly script?: string;
  /** Further Miniflare options (bindings, Durable Objects, compatibility flags, …), merged last. */
  readonly extra?: Partial<MiniflareOptions>;
}

const DEFAULT_SCRIPT = `export default { fetch() { return new Response('not found', { status: 404 }); } };`;

export async function startMiniflare(
  options: StartMiniflareOptions = {},
): Promise<MiniflareHandle> {
  const mf = new Miniflare({
    modules: true,
    script: options.script ?? DEFAULT_SCRIPT,
    compatibilityDate: '2025-01-01',
    r2Buckets: [...(options.r2Buckets ?? ['BLOCKS'])],
    host: '127.0.0.1',
    port: 0,
    ...(options.extra as object),
  } as MiniflareOptions);
  const url = await mf.ready;
  let stopped = false;
  return {
    mf,
    url,
    r2: (name) => mf.getR2Bucket(name),
    async stop() {
      if (stopped) return;
      stopped = true;
      await mf.dispose();
    },
  };
}
