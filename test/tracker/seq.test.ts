import { describe, expect, it } from 'vitest';
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt, seqMax } from '../../src/tracker/seq.js';

const TOP = 0xffffffff;

describe('sequence arithmetic', () => {
  it('adds modulo 2^32', () => {
    expect(seqAdd(TOP, 1)).toBe(0);
    expect(seqAdd(TOP - 1, 5)).toBe(3);
    expect(seqAdd(0, -1)).toBe(TOP);
  });
  it('differences are signed across the wrap', () => {
    expect(seqDiff(2, TOP - 1)).toBe(4);
    expect(seqDiff(TOP - 1, 2)).toBe(-4);
    expect(seqDiff(100, 100)).toBe(0);
  });
  it('orders numbers across the wrap', () => {
    expect(seqLt(TOP, 0)).toBe(true);
    expect(seqGt(0, TOP)).toBe(true);
    expect(seqLe(TOP, TOP)).toBe(true);
    expect(seqGe(5, TOP - 5)).toBe(true);
    expect(seqLt(5, TOP - 5)).toBe(false);
    expect(seqMax(TOP - 2, 3)).toBe(3);
    expect(seqMax(10, 9)).toBe(10);
  });
  it('plain ordering away from the wrap', () => {
    expect(seqLt(1, 2)).toBe(true);
    expect(seqGt(1, 2)).toBe(false);
    expect(seqLt(0x7ffffff0, 0x80000010)).toBe(true);
  });
  it('window membership across the wrap', () => {
    expect(seqInWindow(2, TOP - 10, 20)).toBe(true);
    expect(seqInWindow(TOP - 11, TOP - 10, 20)).toBe(false);
    expect(seqInWindow(10, TOP - 10, 20)).toBe(false);
    expect(seqInWindow(8, TOP - 10, 20)).toBe(true);
    expect(seqInWindow(9, TOP - 10, 20)).toBe(false);
  });
});
