/**
 * Vitest global setup: rebuilds the agent bundle (dist/thanos-edge.mjs) from the current sources
 * before any suite starts `thanos-edge` processes, so tests never run a stale build.
 */
import { buildAgent } from '../scripts/build-agent.mjs';

export default async function setup(): Promise<void> {
  await buildAgent();
}
