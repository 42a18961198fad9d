import { describe, expect, it } from 'vitest';
import { ColumnArena, columnBytes } from './column-arena.ts';

describe('ColumnArena', () => {
  it('hands out zeroed, aligned columns that never overlap', () => {
    const arena = new ColumnArena(columnBytes(3, 5));
    const cols: (Float64Array | Uint8Array)[] = [];
    for (let i = 0; i < 40; i++) {
      const c = i % 3 === 2 ? arena.u8(5 + i) : arena.f64(5 + i);
      expect(c.length).toBe(5 + i);
      expect(c.every((x) => x === 0)).toBe(true);
      if (c instanceof Float64Array) expect(c.byteOffset % 8).toBe(0);
      c.fill(i + 1);
      cols.push(c);
    }
    // Every column still holds what was written to it: none was handed out twice.
    cols.forEach((c, i) => expect(c.every((x) => x === i + 1)).toBe(true));
  });

  it('shares buffers between columns, and gives a column larger than a block its own', () => {
    const arena = new ColumnArena(columnBytes(100, 10));
    const a = arena.f64(10);
    const b = arena.f64(10);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 80);
    const big = arena.f64(1 << 20);
    expect(big.length).toBe(1 << 20);
    expect(big.buffer).not.toBe(a.buffer);
    // The next small column fits after the big one's buffer is full: a fresh block.
    const c = arena.f64(10);
    expect(c.buffer).not.toBe(big.buffer);
    expect(c.every((x) => x === 0)).toBe(true);
  });

  it('copies', () => {
    const arena = new ColumnArena(64);
    const src = new Float64Array([1, NaN, -0, Infinity]);
    const c = arena.copyF64(src);
    expect(Array.from(c)).toEqual([1, NaN, -0, Infinity]);
    src[0] = 5;
    expect(c[0]).toBe(1);
  });
});

describe('ColumnArena.reset', () => {
  it('hands the same buffers out again, zeroed; a column larger than a block is never reused', () => {
    const arena = new ColumnArena(4096);
    const a = arena.f64(100);
    a.fill(7);
    const b = arena.u8(3000);
    b.fill(9);
    const big = arena.f64(10_000);
    arena.reset();
    const a2 = arena.f64(100);
    expect(a2.buffer).toBe(a.buffer);
    expect(a2.byteOffset).toBe(a.byteOffset);
    expect([...a2].every((x) => x === 0)).toBe(true);
    const b2 = arena.u8(3000);
    expect(b2.buffer).toBe(b.buffer);
    expect([...b2].every((x) => x === 0)).toBe(true);
    const big2 = arena.f64(10_000);
    expect(big2.buffer).not.toBe(big.buffer);
    // Past what the blocks held before: a fresh block.
    const more = arena.f64(400);
    expect(more.buffer).not.toBe(a.buffer);
    expect(more.buffer).not.toBe(b.buffer);
  });
});

describe('ColumnArena with a larger maxBlock', () => {
  it('carves long columns out of its blocks and hands them out again after a reset', () => {
    const arena = new ColumnArena(1 << 20, 1 << 20);
    const t = arena.copyF64(new Float64Array(40_000).fill(3));
    const v = arena.f64(40_000);
    // 640 KB of columns in one 1 MiB block, where the default blocks (64 KiB) give each its own.
    expect(v.buffer).toBe(t.buffer);
    v.fill(5);
    arena.reset();
    const t2 = arena.copyF64(new Float64Array(40_000).fill(4));
    expect(t2.buffer).toBe(t.buffer);
    expect(t2.every((x) => x === 4)).toBe(true);
    // A zeroed column from a reused block is zeroed though the block held fives.
    const v2 = arena.f64(40_000);
    expect(v2.buffer).toBe(v.buffer);
    expect(v2.every((x) => x === 0)).toBe(true);
    const p2 = arena.u8(1000);
    expect(p2.every((x) => x === 0)).toBe(true);
  });

  it('suits a batch by its own largest block', () => {
    const arena = new ColumnArena(1 << 20, 1 << 20);
    expect(arena.suits(1 << 20)).toBe(true);
    expect(new ColumnArena(1 << 20).suits(1 << 20)).toBe(true);
    expect(new ColumnArena(4096, 1 << 20).suits(1 << 20)).toBe(false);
  });
});
