/**
 * The WASM codec's pick kernel (wasm/assembly/xor/pick.ts) under readSeries' pickAt: the same
 * selections, step by step, as every sample gives (test/helpers/pick-check.ts).
 */
import { describe, it } from 'vitest';
import { checkPickAt } from '../test/helpers/pick-check.ts';
import { newXorCodecNode } from './wasm.ts';

describe('pickAt in the WASM codec', () => {
  it('selects at every step exactly as over all samples', async () => {
    await checkPickAt(await newXorCodecNode(), 60);
  });
});
