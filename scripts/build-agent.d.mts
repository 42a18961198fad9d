/** Types of scripts/build-agent.mjs for the TypeScript callers (test setup, start, benchmarks). */
export declare const AGENT_BUNDLE: string;
export declare function buildAgent(): Promise<void>;
