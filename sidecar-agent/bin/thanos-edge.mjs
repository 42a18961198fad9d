#!/bin/sh
//usr/bin/env true; case " $NODE_OPTIONS " in *--max-semi-space-size*) exec node $THANOS_EDGE_NODE_ARGS "$0" "$@";; esac; case "$1" in compact) s=8;; *) s=2;; esac; exec node --max-semi-space-size=$s $THANOS_EDGE_NODE_ARGS "$0" "$@"
// Started as a program (`thanos-edge …`), the line above is sh: it runs Node on this file with
// V8's young generation capped at 2 MB a semi-space (Node 20 lets it grow to 16 MB under a
// streaming read, which the agent kept as resident memory; the cap costs a few more, short
// scavenges). `compact` gets 8 MB: a compaction allocates ~12 KB per input series and dies
// young, and at 2 MB its scavenges cost it ~30% more CPU (bench:compact 4x: 7.0 s against 5.7 s,
// peak RSS 171-183 MB against 173-182). A --max-semi-space-size in NODE_OPTIONS wins;
// THANOS_EDGE_NODE_ARGS adds Node flags (e.g. --cpu-prof). Run as `node thanos-edge.mjs`, the
// line is a comment.
//
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
