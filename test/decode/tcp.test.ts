import { describe, expect, it } from 'vitest';
import { flagsToString, TcpFlag } from '../../src/decode/index.js';
import { decode, ethernet, ipv4, tcp } from './helpers.js';

const ETH = 1;

describe('TCP header', () => {
  it('reads ports, unsigned seq/ack, window, urgent pointer and header length', () => {
    const { result, seg } = decode(
      ETH,
      ethernet(0x0800, ipv4(tcp({ sport: 65535, dport: 1, seq: 0xfffffffe, ack: 0x80000001, flags: 0x039, window: 513, urgent: 7, options: [1, 1, 1, 1] }))),
    );
    expect(result).toBeNull();
    expect(seg).toMatchObject({ srcPort: 65535, dstPort: 1, seq: 0xfffffffe, ack: 0x80000001, window: 513, urgent: 7, headerLength: 24 });
    expect(seg.flags).toBe(TcpFlag.FIN | TcpFlag.PSH | TcpFlag.ACK | TcpFlag.URG);
    expect(seg.checksumOk).toBe(true);
  });

  it('reads all 12 flag bits, AE (RFC 9768) and the reserved ones included', () => {
    for (let bit = 0; bit < 12; bit++) {
      const { result, seg } = decode(ETH, ethernet(0x0800, ipv4(tcp({ flags: 1 << bit }))));
      expect(result).toBeNull();
      expect(seg.flags).toBe(1 << bit);
    }
    const { seg } = decode(ETH, ethernet(0x0800, ipv4(tcp({ flags: 0x1c2 }))));
    expect(seg.flags).toBe(TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR | TcpFlag.AE);
  });

  it('data offset below 5 → bad_tcp_header', () => {
    for (const dataOffset of [0, 1, 4]) {
      expect(decode(ETH, ethernet(0x0800, ipv4(tcp({ dataOffset })))).result).toBe('bad_tcp_header');
    }
  });

  it('a data offset longer than the IP length allows → bad_ip_header', () => {
    // 20 bytes of TCP in the IP packet, but the header claims 24.
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp({ dataOffset: 6 })))).result).toBe('bad_ip_header');
  });

  it('fixed header not all captured → truncated; options cut by the snap length → decoded, options.truncated', () => {
    const frame = ethernet(0x0800, ipv4(tcp({ options: [2, 4, 5, 0xb4, 1, 3, 3, 7], payload: [1, 2, 3] })));
    const ipEnd = 14 + 20;
    for (let cut = ipEnd; cut < ipEnd + 20; cut++) expect(decode(ETH, frame.slice(0, cut), frame.length).result).toBe('truncated');
    const { result, seg } = decode(ETH, frame.slice(0, ipEnd + 24), frame.length);
    expect(result).toBeNull();
    expect(seg.options).toMatchObject({ mss: 1460, windowScale: -1, truncated: true, malformed: false });
    expect(seg).toMatchObject({ payloadLength: 3, capturedPayload: 0, checksumOk: null });
  });

  it('payload length comes from the IP length; captured payload from what is there', () => {
    const frame = ethernet(0x0800, ipv4(tcp({ payload: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] })));
    const full = decode(ETH, frame);
    expect(full.seg).toMatchObject({ payloadLength: 10, capturedPayload: 10, payloadOffset: 54, checksumOk: true });
    const cut = decode(ETH, frame.slice(0, frame.length - 4), frame.length);
    expect(cut.result).toBeNull();
    expect(cut.seg).toMatchObject({ payloadLength: 10, capturedPayload: 6, checksumOk: null });
  });
});

describe('flagsToString', () => {
  it('lists flags in Wireshark order', () => {
    expect(flagsToString(TcpFlag.SYN)).toBe('SYN');
    expect(flagsToString(TcpFlag.SYN | TcpFlag.ACK)).toBe('SYN, ACK');
    expect(flagsToString(TcpFlag.FIN | TcpFlag.PSH | TcpFlag.ACK)).toBe('FIN, PSH, ACK');
    expect(flagsToString(TcpFlag.RST | TcpFlag.ACK)).toBe('RST, ACK');
    expect(flagsToString(TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR | TcpFlag.AE)).toBe('SYN, ECE, CWR, AE');
    expect(flagsToString(TcpFlag.URG | TcpFlag.ACK)).toBe('ACK, URG');
  });
  it('names reserved bits and the empty set', () => {
    expect(flagsToString(0)).toBe('<None>');
    expect(flagsToString(0x800 | TcpFlag.ACK)).toBe('ACK, Reserved');
    expect(flagsToString(0x200)).toBe('Reserved');
  });
});
