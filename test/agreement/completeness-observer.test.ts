import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/decode/segment.js';
import { CompletenessObserver, completenessString } from '../../src/tracker/completeness.js';
import { c, s } from './segments.js';

function value(segs: Segment[]): number {
  const obs = new CompletenessObserver();
  for (const x of segs) obs.onSegment(x, x.srcPort === 40000);
  return obs.value();
}

const C = 100;
const S = 500;

// Every expectation below was read off tshark 4.0.17 (`tshark -2 -T fields -e tcp.completeness`)
// for the same segment sequence.
describe('tcp.completeness bits', () => {
  it('a full handshake, data and FIN close: 31', () => {
    expect(
      value([
        c('S', C),
        s('SA', S, C + 1),
        c('A', C + 1, S + 1),
        c('PA', C + 1, S + 1, 5),
        s('A', S + 1, C + 6),
        c('FA', C + 6, S + 1),
        s('FA', S + 1, C + 7),
        c('A', C + 7, S + 2),
      ]),
    ).toBe(31);
  });
  it('a SYN-ACK does not count as ACK', () => {
    expect(value([c('S', C), s('SA', S, C + 1)])).toBe(3);
  });
  it('ACK needs a segment without SYN and without payload; FIN+ACK and RST+ACK count', () => {
    expect(value([c('S', C), s('SA', S, C + 1), c('PA', C + 1, S + 1, 5)])).toBe(11);
    expect(value([c('PA', C, S, 10), c('FA', C + 10, S)])).toBe(28);
    expect(value([c('S', C), s('RA', 0, C + 1)])).toBe(37);
  });
  it('DATA needs the ACK flag (or payload on the opening SYN); none for a SYN-ACK payload', () => {
    expect(value([c('S', C), c('P', C + 1, 0, 10)])).toBe(1);
    expect(value([c('S', C, 0, 5), s('A', S, C + 6)])).toBe(13);
    expect(value([c('S', C), s('SA', S, C + 1, 10)])).toBe(3);
    expect(value([c('S', C), c('S', C, 0, 5)])).toBe(1);
  });
  it('FIN needs ACK; RST counts with or without it', () => {
    expect(value([c('S', C), c('F', C + 1)])).toBe(1);
    expect(value([c('S', C), c('SF', C)])).toBe(1);
    expect(value([c('S', C), s('SAF', S, C + 1)])).toBe(19);
    expect(value([c('S', C), c('R', C + 1, 0, 5)])).toBe(33);
    expect(value([c('S', C), s('FRA', S, C + 1)])).toBe(53);
  });
  it('a stream of one packet reads 0 unless it is a bare SYN', () => {
    expect(value([c('PA', C, S, 10)])).toBe(0);
    expect(value([s('SA', S, C + 1)])).toBe(0);
    expect(value([c('R', C)])).toBe(0);
    expect(value([c('S', C)])).toBe(1);
    expect(value([c('SR', C)])).toBe(1);
    expect(value([c('S', C, 0, 5)])).toBe(9);
    expect(value([])).toBe(0);
  });
  it('from the second packet on, the first packet counts in full', () => {
    expect(value([c('PA', C, S, 10), s('A', S, C + 10)])).toBe(12);
    expect(value([s('SA', S, C + 1), c('A', C + 1, S + 1)])).toBe(6);
    expect(value([c('SR', C), s('A', S, C + 1)])).toBe(37);
  });
  it('spells values like tcp.completeness.str', () => {
    expect(completenessString(31)).toBe('SYN|SYN-ACK|ACK|DATA|FIN');
    expect(completenessString(52)).toBe('ACK|FIN|RST');
    expect(completenessString(0)).toBe('-');
  });
});
