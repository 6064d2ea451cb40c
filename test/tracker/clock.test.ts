/**
 * The run clock: relative times keep every nanosecond of a pcap-nsec or pcapng timestamp, and
 * times leave it exactly as the capture layer's `sec + nsec × 1e-9`.
 */
import { describe, expect, it } from 'vitest';
import { CaptureClock, interval } from '../../src/tracker/clock.js';

describe('CaptureClock', () => {
  it('gives back the epoch float of every timestamp exactly', () => {
    const clock = new CaptureClock();
    const base = 1_795_266_805;
    clock.rel(base, 388_932_700);
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const sec = base - 5 + (x % 4_000_000); // up to ~46 days after the first segment, a few seconds before it
      const nsec = (x * 7919) % 1_000_000_000;
      expect(clock.epoch(clock.rel(sec, nsec))).toBe(sec + nsec * 1e-9);
    }
    expect(clock.epoch(clock.rel(base, 999_999_999))).toBe(base + 999_999_999 * 1e-9);
  });

  it('keeps nanosecond intervals that epoch floats lose', () => {
    const clock = new CaptureClock();
    // SYN and SYN-ACK of samples/close-by-client-nano.pcap: 79.738 µs apart.
    const syn = clock.rel(1_795_266_805, 388_932_799);
    const synAck = clock.rel(1_795_266_805, 389_012_537);
    expect(interval(syn, synAck)).toBe(0.000079738);
    const epochDelta = 1_795_266_805 + 389_012_537e-9 - (1_795_266_805 + 388_932_799e-9);
    expect(Math.abs(epochDelta - 0.000079738)).toBeGreaterThan(1e-8);
  });

  it('passes −∞ and +∞ through', () => {
    const clock = new CaptureClock();
    expect(clock.epoch(-Infinity)).toBe(-Infinity);
    expect(clock.epoch(Infinity)).toBe(Infinity);
  });
});
