import { describe, expect, it } from 'vitest';
import { decapConfig, formatAddress, TcpFlag } from '../../src/decode/index.js';
import { V6_DATA, V6_SYN } from './fixtures.js';
import { decode, ethernet, ipv6, tcp, V6_DST, decodeWith, u32 } from './helpers.js';

const ETH = 1;

/** A hop-by-hop or destination options header: 8 bytes of PadN. */
const OPTS8 = [0, 0, 1, 4, 0, 0, 0, 0];
/** A 16-byte destination options header (length 1). */
const OPTS16 = [0, 1, 1, 12, ...new Array<number>(12).fill(0)];
/** AH with a 12-byte ICV: payload len 4 → (4 + 2) × 4 = 24 bytes. */
const AH24 = [0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, ...new Array<number>(12).fill(0xaa)];
/** Fragment header with offset (in 8-byte units) and M flag. */
function fragHeader(offset: number, more: boolean): number[] {
  const fo = (offset << 3) | (more ? 1 : 0);
  return [0, 0, fo >> 8, fo & 0xff, 0, 0, 0x12, 0x34];
}

describe('IPv6 (real frames)', () => {
  it('decodes a Linux SYN; checksum verified', () => {
    const { result, seg } = decode(ETH, V6_SYN);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ ipVersion: 6, addrLength: 16, ttl: 64, ipLength: 80, ipChecksumOk: null, checksumOk: true });
    expect(formatAddress(seg.bytes, seg.srcOffset, 16)).toBe('fd00::1');
    expect(formatAddress(seg.bytes, seg.dstOffset, 16)).toBe('fd00::2');
    expect(seg).toMatchObject({ srcPort: 48142, dstPort: 8080, flags: TcpFlag.SYN, headerLength: 40 });
    expect(seg.options).toMatchObject({ mss: 1440, windowScale: 10, sackPermitted: true, tsVal: 1879069181 });
  });

  it('decodes data; a flipped payload bit fails the checksum', () => {
    const { result, seg } = decode(ETH, V6_DATA);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 10, capturedPayload: 10, checksumOk: true });
    const bad = V6_DATA.slice();
    bad[bad.length - 1]! ^= 0x10;
    expect(decode(ETH, bad).seg.checksumOk).toBe(false);
  });
});

describe('IPv6 extension headers', () => {
  const segment = tcp({ flags: TcpFlag.PSH | TcpFlag.ACK, payload: [1, 2, 3, 4, 5] });

  it('walks hop-by-hop, destination options, routing, AH and an atomic fragment to TCP', () => {
    const routing = [0, 0, 4, 0, 0, 0, 0, 0]; // type 4 (SRH) with segments left 0: destination is final
    const ext = [
      { type: 0, bytes: OPTS8 },
      { type: 60, bytes: OPTS16 },
      { type: 43, bytes: routing },
      { type: 44, bytes: fragHeader(0, false) },
      { type: 51, bytes: AH24 },
      { type: 60, bytes: OPTS8 },
    ];
    const ip = ipv6(segment, { ext });
    const { result, seg } = decode(ETH, ethernet(0x86dd, ip));
    expect(result).toBeNull();
    const extLen = 8 + 16 + 8 + 8 + 24 + 8;
    expect(seg).toMatchObject({ ipLength: 40 + extLen + 25, payloadLength: 5, payloadOffset: 14 + 40 + extLen + 20, checksumOk: true });
  });

  it('traffic class gives the ECN bits; hop limit the TTL', () => {
    const { seg } = decode(ETH, ethernet(0x86dd, ipv6(segment, { trafficClass: 0xb9, hopLimit: 7 })));
    expect(seg.ecn).toBe(1);
    expect(seg.ttl).toBe(7);
  });

  it('the checksum uses the routing header final destination when segments are left (RFC 8200 §8.1)', () => {
    const final = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9];
    // Type 2 (mobile IPv6 home address), segments left 1.
    const rh2 = [0, 2, 2, 1, 0, 0, 0, 0, ...final];
    const good = decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 43, bytes: rh2 }], checksumDst: final })));
    expect(good.result).toBeNull();
    expect(good.seg.checksumOk).toBe(true);
    // The header's destination stays the address shown.
    expect(formatAddress(good.seg.bytes, good.seg.dstOffset, 16)).toBe('fd00::2');
    // Type 0 with two addresses: the last one is final.
    const rh0 = [0, 4, 0, 2, 0, 0, 0, 0, ...V6_DST, ...final];
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 43, bytes: rh0 }], checksumDst: final }))).seg.checksumOk).toBe(true);
    // An unknown routing type with segments left: not checkable.
    const rh9 = [0, 2, 9, 1, 0, 0, 0, 0, ...final];
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 43, bytes: rh9 }] }))).seg.checksumOk).toBeNull();
  });

  it('a first fragment holding the whole TCP header is decoded; later ones → fragment', () => {
    const first = ipv6(segment.slice(0, 24), { ext: [{ type: 44, bytes: fragHeader(0, true) }], noTcpChecksum: true });
    const { result, seg } = decode(ETH, ethernet(0x86dd, first));
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 4, checksumOk: null });
    const split = ipv6(segment.slice(0, 16), { ext: [{ type: 44, bytes: fragHeader(0, true) }] });
    expect(decode(ETH, ethernet(0x86dd, split)).result).toBe('fragment');
    const later = ipv6(segment.slice(24), { ext: [{ type: 0, bytes: OPTS8 }, { type: 44, bytes: fragHeader(3, false) }] });
    expect(decode(ETH, ethernet(0x86dd, later)).result).toBe('fragment');
    const middle = ipv6(tcp(), { ext: [{ type: 44, bytes: fragHeader(1, true) }] });
    expect(decode(ETH, ethernet(0x86dd, middle)).result).toBe('fragment');
  });

  it('a jumbogram takes its length from the Jumbo Payload option (RFC 2675); without a valid one → bad_ip_header', () => {
    // Jumbo Payload option (RFC 2675 §2) claiming 70,000 bytes: a BIG TCP segment cut by the snap length.
    const jumbo = [0, 0, 0xc2, 4, ...u32(70_000)];
    const big = decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 0, bytes: jumbo }], payloadLength: 0 })), 14 + 40 + 70_000);
    expect(big.result).toBeNull();
    expect(big.seg).toMatchObject({ ipLength: 40 + 70_000, payloadLength: 70_000 - 8 - 20, checksumOk: null });
    // A jumbo length ≤ 65,535 is invalid (§3), as is a hop-by-hop header without the option.
    const small = [0, 0, 0xc2, 4, ...u32(1000)];
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 0, bytes: small }], payloadLength: 0 }))).result).toBe('bad_ip_header');
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 0, bytes: OPTS8 }], payloadLength: 0 }))).result).toBe('bad_ip_header');
  });

  it('payload length 0 without hop-by-hop: a segmentation-offload capture, the frame gives the length', () => {
    const gso = decode(ETH, ethernet(0x86dd, ipv6(segment, { payloadLength: 0 })));
    expect(gso.result).toBeNull();
    expect(gso.seg.payloadLength).toBe(segment.length - 20);
    expect(decode(ETH, ethernet(0x86dd, ipv6(new Uint8Array(0), { protocol: 59 }))).result).toBe('non_tcp');
    expect(decode(ETH, ethernet(0x86dd, ipv6(new Uint8Array(0), { protocol: 99 }))).result).toBe('non_tcp');
  });

  it('an extension header running past the payload length → bad_ip_header; past the capture → truncated', () => {
    const ip = ipv6(segment, { ext: [{ type: 60, bytes: OPTS16 }], payloadLength: 12 });
    expect(decode(ETH, ethernet(0x86dd, ip)).result).toBe('bad_ip_header');
    const full = ethernet(0x86dd, ipv6(segment, { ext: [{ type: 60, bytes: OPTS16 }] }));
    for (let cut = 14 + 40; cut < 14 + 40 + 16; cut++) expect(decode(ETH, full.slice(0, cut), full.length).result).toBe('truncated');
    for (let cut = 14; cut < 14 + 40; cut++) expect(decode(ETH, full.slice(0, cut), full.length).result).toBe('truncated');
  });

  it('a payload length too small for the TCP header → bad_ip_header', () => {
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { payloadLength: 19 }))).result).toBe('bad_ip_header');
  });

  it('snap length: payload length from the header, checksum unknown', () => {
    const frame = ethernet(0x86dd, ipv6(tcp({ payload: new Array<number>(500).fill(3) })));
    const { result, seg } = decode(ETH, frame.slice(0, 100), frame.length);
    expect(result).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 500, capturedPayload: 100 - 74, checksumOk: null, ipLength: 560 });
  });

  it('ESP, no-next-header, ICMPv6, UDP → non_tcp; IPv4/IPv6-in-IPv6 → tunnel when decapsulation is off', () => {
    for (const protocol of [50, 59, 58, 17]) {
      expect(decode(ETH, ethernet(0x86dd, ipv6(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0]), { protocol }))).result).toBe('non_tcp');
    }
    const off = decapConfig({ enabled: false });
    expect(decodeWith(off, ETH, ethernet(0x86dd, ipv6(segment, { protocol: 41, noTcpChecksum: true }))).result).toBe('tunnel');
    expect(decodeWith(off, ETH, ethernet(0x86dd, ipv6(segment, { protocol: 4, noTcpChecksum: true }))).result).toBe('tunnel');
    // Opened by default, where the inner version matches the next header (a bare TCP segment does not).
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { protocol: 41, noTcpChecksum: true }))).result).toBe('bad_ip_header');
    expect(decode(ETH, ethernet(0x86dd, ipv6(segment, { ext: [{ type: 0, bytes: OPTS8 }], protocol: 17 }))).result).toBe('non_tcp');
  });

  it('a version nibble other than 6 → bad_ip_header', () => {
    const ip = ipv6(segment);
    ip[0] = 0x40;
    expect(decode(ETH, ethernet(0x86dd, ip)).result).toBe('bad_ip_header');
  });
});
