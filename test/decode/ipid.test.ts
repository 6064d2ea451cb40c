/** The IPv4 identification field, which the tracker uses to tell a frame captured twice from a retransmission. */
import { describe, expect, it } from 'vitest';
import { decodeFrame, newSegment } from '../../src/decode/index.js';
import { V4_SYN } from './fixtures.js';
import { decode, ethernet, frameOf, ipv4, ipv6, tcp } from './helpers.js';

const ETH = 1;

describe('IP identification', () => {
  it('is read from the IPv4 header (a real Linux SYN, and synthetic IDs at both ends of the range)', () => {
    // V4_SYN's identification field, bytes 4-5 of the IP header after the 14-byte Ethernet header.
    expect(decode(ETH, V4_SYN).seg.ipId).toBe((V4_SYN[18]! << 8) | V4_SYN[19]!);
    for (const id of [0, 1, 0x1234, 0xffff]) {
      const { result, seg } = decode(ETH, ethernet(0x0800, ipv4(tcp(), { id })));
      expect(result).toBeNull();
      expect(seg.ipId).toBe(id);
    }
  });

  it('is −1 for IPv6, also when the reused segment held an IPv4 frame before', () => {
    const seg = newSegment();
    expect(seg.ipId).toBe(-1);
    expect(decodeFrame(frameOf(ETH, ethernet(0x0800, ipv4(tcp(), { id: 777 }))), seg)).toBeNull();
    expect(seg.ipId).toBe(777);
    expect(decodeFrame(frameOf(ETH, ethernet(0x86dd, ipv6(tcp()))), seg)).toBeNull();
    expect(seg.ipVersion).toBe(6);
    expect(seg.ipId).toBe(-1);
  });
});
