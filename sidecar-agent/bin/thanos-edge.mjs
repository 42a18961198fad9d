#!/usr/bin/env node
// Entry of the `thanos-edge` CLI. Runs the plain-JS bundle that `npm install` builds
// (dist/thanos-edge.mjs, scripts/build-agent.mjs); without it, or with THANOS_EDGE_FROM_SOURCE=1,
// the TypeScript sources through tsx (slower, and ~80 MB more memory for the loader).
import { existsSync } from 'node:fs';

const bundle = new URL('../../dist/thanos-edge.mjs', import.meta.url);
let main;
if (process.env.THANOS_EDGE_FROM_SOURCE !== '1' && existsSync(bundle)) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
