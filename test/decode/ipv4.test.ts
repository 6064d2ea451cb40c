import { describe, expect, it } from 'vitest';
import { decapConfig, formatAddress, TcpFlag } from '../../src/decode/index.js';
import { V4_DATA, V4_SYN } from './fixtures.js';
import { concat, decode, ethernet, ipv4, tcp, decodeWith } from './helpers.js';

const ETH = 1;

describe('IPv4 (real frames)', () => {
  it('decodes a Linux SYN with its options, both checksums verified', () => {
    const { result, seg } = decode(ETH, V4_SYN);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ ipVersion: 4, addrLength: 4, ttl: 64, ipLength: 60, ipChecksumOk: true, checksumOk: true, ecn: 0 });
    expect(formatAddress(seg.bytes, seg.srcOffset, seg.addrLength)).toBe('10.9.0.1');
    expect(formatAddress(seg.bytes, seg.dstOffset, seg.addrLength)).toBe('10.9.0.2');
    expect(seg).toMatchObject({ srcPort: 41474, dstPort: 8080, seq: 2510308492, flags: TcpFlag.SYN, window: 64240, headerLength: 40 });
    expect(seg.options).toMatchObject({ mss: 1460, sackPermitted: true, hasTimestamps: true, tsVal: 897239776, tsEcr: 0, windowScale: 10 });
    expect(seg).toMatchObject({ payloadLength: 0, capturedPayload: 0 });
  });

  it('decodes a data segment with an odd TCP length; payload offset points at "hello"', () => {
    const { result, seg } = decode(ETH, V4_DATA);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 5, capturedPayload: 5, checksumOk: true, ipChecksumOk: true, ipLength: 57 });
    expect(new TextDecoder().decode(seg.bytes.subarray(seg.payloadOffset, seg.payloadOffset + seg.payloadLength))).toBe('hello');
    expect(seg).toMatchObject({ seq: 2510308493, ack: 1098669134, flags: TcpFlag.PSH | TcpFlag.ACK });
  });

  it('reports (never drops on) a bad TCP or IP checksum', () => {
    for (const at of [14 + 20 + 16, 14 + 20 + 36 /* payload byte */]) {
      const bad = V4_DATA.slice();
      bad[at]! ^= 0x40;
      const { result, seg } = decode(ETH, bad);
      expect(result).toBeNull();
      expect(seg.checksumOk).toBe(false);
      expect(seg.ipChecksumOk).toBe(true);
    }
    const badIp = V4_DATA.slice();
    badIp[14 + 10]! ^= 1;
    const { result, seg } = decode(ETH, badIp);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ ipChecksumOk: false, checksumOk: true });
  });

  it('Ethernet padding is neither payload nor checksummed', () => {
    // A bare ACK is 54 bytes; Ethernet pads it to 60 (and an FCS may follow).
    const ack = ethernet(0x0800, ipv4(tcp({ flags: TcpFlag.ACK })));
    const padded = concat(ack, [0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef]);
    const { result, seg } = decode(ETH, padded);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 0, capturedPayload: 0, checksumOk: true, ipLength: 40 });
  });
});

describe('IPv4 header fields', () => {
  it('header options (IHL > 5) are skipped', () => {
    const rr = [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1]; // record route + EOL padding
    const { result, seg } = decode(ETH, ethernet(0x0800, ipv4(tcp({ payload: [9, 9] }), { options: rr })));
    expect(result).toBeNull();
    expect(seg).toMatchObject({ ipLength: 20 + 12 + 22, payloadLength: 2, payloadOffset: 14 + 32 + 20, ipChecksumOk: true, checksumOk: true });
  });

  it('ECN field and TTL', () => {
    const { seg } = decode(ETH, ethernet(0x0800, ipv4(tcp(), { tos: 0xb8 | 3, ttl: 3 })));
    expect(seg.ecn).toBe(3);
    expect(seg.ttl).toBe(3);
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { tos: 0x02 }))).seg.ecn).toBe(2);
  });

  it('a version other than 4 or an IHL below 5 → bad_ip_header', () => {
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { version: 5 }))).result).toBe('bad_ip_header');
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { ihl: 4 }))).result).toBe('bad_ip_header');
  });

  it('a total length smaller than the headers → bad_ip_header', () => {
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { totalLength: 19 }))).result).toBe('bad_ip_header');
    // Room for the IP header but not for a TCP header.
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { totalLength: 39 }))).result).toBe('bad_ip_header');
    // IHL of 15 (60 bytes) but total length 40.
    expect(decode(ETH, concat(ethernet(0x0800, ipv4(tcp(), { ihl: 15 })), new Array<number>(40).fill(0))).result).toBe('bad_ip_header');
  });

  it('an IP header cut by the snap length → truncated', () => {
    const frame = ethernet(0x0800, ipv4(tcp(), { options: [1, 1, 1, 0] }));
    for (let cut = 14; cut < 14 + 24; cut++) expect(decode(ETH, frame.slice(0, cut), frame.length).result).toBe('truncated');
  });

  it('a total length beyond the capture (snap length) keeps the IP length as payload', () => {
    const frame = ethernet(0x0800, ipv4(tcp({ payload: new Array<number>(1000).fill(7) })));
    const { result, seg } = decode(ETH, frame.slice(0, 96), frame.length);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 1000, capturedPayload: 96 - 54, checksumOk: null, ipChecksumOk: true });
  });

  it('total length 0 (a segmentation-offload capture) takes the length from the frame, as Wireshark does', () => {
    const ip = ipv4(tcp({ payload: [1, 2, 3, 4] }), { totalLength: 0 });
    const { result, seg } = decode(ETH, ethernet(0x0800, ip));
    expect(result).toBeNull();
    expect(seg).toMatchObject({ ipLength: 44, payloadLength: 4 });
    // With a snap length, the wire length counts.
    const cut = decode(ETH, ethernet(0x0800, ip).slice(0, 54), 14 + 44 + 1000);
    expect(cut.seg).toMatchObject({ ipLength: 1044, payloadLength: 1004, capturedPayload: 0 });
  });

  it('non-TCP protocols → non_tcp; IP-level tunnels → tunnel when decapsulation is off', () => {
    const udp = [0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0];
    expect(decode(ETH, ethernet(0x0800, ipv4(Uint8Array.from(udp), { protocol: 17 }))).result).toBe('non_tcp');
    expect(decode(ETH, ethernet(0x0800, ipv4(Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0]), { protocol: 1 }))).result).toBe('non_tcp');
    const inner = ipv4(tcp());
    const off = decapConfig({ enabled: false });
    for (const protocol of [4, 41, 47]) expect(decodeWith(off, ETH, ethernet(0x0800, ipv4(inner, { protocol }))).result).toBe('tunnel');
    // Opened by default: protocol 4 with an IPv4 packet inside; 41 must carry IPv6.
    expect(decode(ETH, ethernet(0x0800, ipv4(inner, { protocol: 4 }))).result).toBeNull();
    expect(decode(ETH, ethernet(0x0800, ipv4(inner, { protocol: 41 }))).result).toBe('bad_ip_header');
  });

  it('an AH header between IP and TCP is skipped (RFC 4302)', () => {
    const segment = tcp({ payload: [1, 2, 3] });
    // AH: next header, payload len (in 4-byte units - 2) = 4 → 24 bytes, reserved, SPI, seq, 12-byte ICV.
    const ah = [6, 4, 0, 0, ...[0, 0, 1, 0], ...[0, 0, 0, 1], ...new Array<number>(12).fill(0xaa)];
    const ip = ipv4(concat(ah, segment), { protocol: 51, noTcpChecksum: true });
    const { result, seg } = decode(ETH, ethernet(0x0800, ip));
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 3, headerLength: 20, payloadOffset: 14 + 20 + 24 + 20 });
    expect(decode(ETH, ethernet(0x0800, ipv4(Uint8Array.from(ah.slice(0, 12)), { protocol: 51 }))).result).toBe('bad_ip_header');
  });
});

describe('IPv4 fragments', () => {
  const segment = tcp({ flags: TcpFlag.PSH | TcpFlag.ACK, payload: new Array<number>(100).fill(1) });

  it('a first fragment (offset 0, MF) holding the whole TCP header is decoded, checksum unknown', () => {
    const first = ipv4(segment.slice(0, 48), { frag: 0x2000, noTcpChecksum: true });
    const { result, seg } = decode(ETH, ethernet(0x0800, first));
    expect(result).toBeNull();
    // Only the part in this fragment is known.
    expect(seg).toMatchObject({ payloadLength: 28, checksumOk: null, ipChecksumOk: true });
  });

  it('a first fragment that splits the TCP header → fragment', () => {
    expect(decode(ETH, ethernet(0x0800, ipv4(segment.slice(0, 16), { frag: 0x2000 }))).result).toBe('fragment');
    const withOptions = tcp({ options: [2, 4, 5, 0xb4, 1, 1, 4, 2] });
    expect(decode(ETH, ethernet(0x0800, ipv4(withOptions.slice(0, 24), { frag: 0x2000 }))).result).toBe('fragment');
  });

  it('later fragments → fragment, whatever they hold', () => {
    expect(decode(ETH, ethernet(0x0800, ipv4(segment.slice(48), { frag: 6 }))).result).toBe('fragment');
    expect(decode(ETH, ethernet(0x0800, ipv4(segment.slice(48), { frag: 0x2000 | 6 }))).result).toBe('fragment');
    // Even one that looks like a TCP header.
    expect(decode(ETH, ethernet(0x0800, ipv4(tcp(), { frag: 0x0001 }))).result).toBe('fragment');
  });

  it('DF and an unfragmented packet decode normally', () => {
    expect(decode(ETH, ethernet(0x0800, ipv4(segment, { frag: 0x4000 }))).seg.checksumOk).toBe(true);
    expect(decode(ETH, ethernet(0x0800, ipv4(segment, { frag: 0 }))).seg.checksumOk).toBe(true);
  });
});

describe('the checksum builder agrees with the real stack', () => {
  it('rebuilding the real SYN gives its checksums', () => {
    // Same fields as V4_SYN; the builder's checksums must equal Linux's.
    const opts = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x35, 0x7a, 0xca, 0xe0, 0, 0, 0, 0, 1, 3, 3, 10];
    const rebuilt = ethernet(
      0x0800,
      ipv4(tcp({ sport: 41474, dport: 8080, seq: 2510308492, ack: 0, flags: TcpFlag.SYN, window: 64240, options: opts }), {
        src: [10, 9, 0, 1],
        dst: [10, 9, 0, 2],
        id: 0x8bf2,
      }),
    );
    expect([...rebuilt.slice(14)]).toEqual([...V4_SYN.slice(14)]);
  });
});
