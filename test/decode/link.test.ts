import { describe, expect, it } from 'vitest';
import { decodeFrame, formatAddress, LINK_TYPE_DECODERS, LinkType, newSegment, type SkipReason } from '../../src/decode/index.js';
import { V4_DATA_IP, V6_DATA_IP } from './fixtures.js';
import { concat, decode, ethernet, frameOf, u16 } from './helpers.js';

/** The real IPv4 segment decoded through any link layer must come out the same: 10.9.0.1:41474 → 10.9.0.2:8080, "hello". */
function expectV4(linkType: number, frame: Uint8Array, ipOffset: number): void {
  const { result, seg } = decode(linkType, frame);
  expect(result).toBeNull();
  expect(seg.srcOffset).toBe(ipOffset + 12);
  expect(formatAddress(seg.bytes, seg.srcOffset, 4)).toBe('10.9.0.1');
  expect(seg).toMatchObject({ ipVersion: 4, srcPort: 41474, dstPort: 8080, payloadLength: 5, checksumOk: true, ipChecksumOk: true });
  expect(seg.payloadOffset).toBe(ipOffset + 20 + 32);
}

function expectV6(linkType: number, frame: Uint8Array, ipOffset: number): void {
  const { result, seg } = decode(linkType, frame);
  expect(result).toBeNull();
  expect(seg.srcOffset).toBe(ipOffset + 8);
  expect(formatAddress(seg.bytes, seg.srcOffset, 16)).toBe('fd00::2');
  expect(seg).toMatchObject({ ipVersion: 6, srcPort: 8080, dstPort: 48142, payloadLength: 10, checksumOk: true });
}

/** Every proper prefix of the frame up to and including `through` bytes must be 'truncated'. */
function expectTruncatedPrefixes(linkType: number, frame: Uint8Array, through: number): void {
  for (let cut = 0; cut <= through; cut++) {
    const r = decode(linkType, frame.slice(0, cut), frame.length).result;
    if (r !== 'truncated') throw new Error(`cut at ${cut}: ${r}`);
  }
}

const vlanTag = (tpid: number, vid: number): number[] => [...u16(tpid), ...u16(vid)];

describe('Ethernet (1)', () => {
  it('IPv4 and IPv6', () => {
    expectV4(LinkType.ETHERNET, ethernet(0x0800, V4_DATA_IP), 14);
    expectV6(LinkType.ETHERNET, ethernet(0x86dd, V6_DATA_IP), 14);
  });

  it('one 802.1Q tag', () => {
    expectV4(1, concat(ethernet(0x8100, [...u16(100), ...u16(0x0800)]), V4_DATA_IP), 18);
  });

  it('QinQ: 802.1ad S-tag over 802.1Q C-tag, and the pre-standard 0x9100', () => {
    expectV4(1, concat(ethernet(0x88a8, [...u16(10), ...vlanTag(0x8100, 20), ...u16(0x0800)]), V4_DATA_IP), 22);
    expectV6(1, concat(ethernet(0x9100, [...u16(10), ...vlanTag(0x8100, 20), ...u16(0x86dd)]), V6_DATA_IP), 22);
  });

  it('a deep stack of tags', () => {
    const tags: number[] = [...u16(1)];
    for (let i = 0; i < 9; i++) tags.push(...vlanTag(i % 2 ? 0x88a8 : 0x8100, i));
    tags.push(...u16(0x0800));
    expectV4(1, concat(ethernet(0x8100, tags), V4_DATA_IP), 14 + 40);
  });

  it('truncation anywhere in the link headers → truncated', () => {
    const frame = concat(ethernet(0x88a8, [...u16(10), ...vlanTag(0x8100, 20), ...u16(0x0800)]), V4_DATA_IP);
    expectTruncatedPrefixes(1, frame, 22 + 19);
  });

  it('MPLS: one label and a stack of three; IPv4 and IPv6 guessed by the version nibble', () => {
    const label = (value: number, bottom: boolean): number[] => [value >> 12, (value >> 4) & 0xff, ((value & 0xf) << 4) | (bottom ? 1 : 0), 64];
    expectV4(1, concat(ethernet(0x8847, label(16, true)), V4_DATA_IP), 18);
    expectV6(1, concat(ethernet(0x8847, [...label(16, false), ...label(17, false), ...label(18, true)]), V6_DATA_IP), 26);
    expectV4(1, concat(ethernet(0x8848, label(99, true)), V4_DATA_IP), 18);
    // MPLS inside VLAN.
    expectV4(1, concat(ethernet(0x8100, [...u16(5), ...u16(0x8847), ...label(16, true)]), V4_DATA_IP), 22);
    // Pseudowire control word (first nibble 0): not IP.
    expect(decode(1, concat(ethernet(0x8847, label(16, true)), [0, 0, 0, 0], ethernet(0x0800, V4_DATA_IP))).result).toBe('non_ip');
    // A stack with no bottom before the capture ends.
    expect(decode(1, ethernet(0x8847, [...label(1, false), ...label(2, false)])).result).toBe('truncated');
  });

  it('PPPoE session: IPv4 (0x0021) and IPv6 (0x0057); LCP → non_ip; discovery → non_ip', () => {
    const pppoe = (proto: number, len: number): number[] => [0x11, 0x00, ...u16(0x1234), ...u16(len + 2), ...u16(proto)];
    expectV4(1, concat(ethernet(0x8864, pppoe(0x0021, V4_DATA_IP.length)), V4_DATA_IP), 22);
    expectV6(1, concat(ethernet(0x8864, pppoe(0x0057, V6_DATA_IP.length)), V6_DATA_IP), 22);
    // PPPoE over QinQ.
    const qinq = [...u16(10), ...vlanTag(0x8100, 20), ...u16(0x8864), ...pppoe(0x0021, V4_DATA_IP.length)];
    expectV4(1, concat(ethernet(0x88a8, qinq), V4_DATA_IP), 30);
    expect(decode(1, ethernet(0x8864, [...pppoe(0xc021, 4), 1, 1, 0, 4])).result).toBe('non_ip');
    expect(decode(1, ethernet(0x8863, [0x11, 0x09, 0, 0, 0, 0])).result).toBe('non_ip');
    expect(decode(1, ethernet(0x8864, [0x11, 0x00, 0x12])).result).toBe('truncated');
  });

  it('Cisco FabricPath (0x8903): 16-byte outer header, then an inner Ethernet frame', () => {
    const inner = ethernet(0x0800, V4_DATA_IP);
    expectV4(1, concat(ethernet(0x8903, [0x00, 0x3f]), inner), 16 + 14);
    const innerVlan = concat(ethernet(0x8100, [...u16(7), ...u16(0x86dd)]), V6_DATA_IP);
    expectV6(1, concat(ethernet(0x8903, [0x00, 0x3f]), innerVlan), 16 + 18);
  });

  it('VN-Tag (0x8926) in a VLAN sandwich', () => {
    const frame = concat(ethernet(0x8100, [...u16(250), ...u16(0x8926), 0, 0, 0, 0x33, ...vlanTag(0x8100, 250), ...u16(0x0800)]), V4_DATA_IP);
    expectV4(1, frame, 28);
  });

  it('802.3 length + LLC/SNAP with an EtherType is followed; other LLC frames are not IP', () => {
    const snap = [0xaa, 0xaa, 0x03, 0, 0, 0, ...u16(0x0800)];
    expectV4(1, concat(ethernet(8 + V4_DATA_IP.length, snap), V4_DATA_IP), 22);
    // Spanning tree BPDU (LLC 42 42 03).
    expect(decode(1, ethernet(38, [0x42, 0x42, 0x03, 0, 0, 0, 0, 0])).result).toBe('non_ip');
    // SNAP with a vendor OUI (CDP).
    expect(decode(1, ethernet(38, [0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0x00])).result).toBe('non_ip');
  });

  it('ARP, LLDP → non_ip; an EtherType tcpshake does not know → unsupported_ethertype', () => {
    expect(decode(1, ethernet(0x0806, new Array<number>(28).fill(0))).result).toBe('non_ip');
    expect(decode(1, ethernet(0x88cc, new Array<number>(28).fill(0))).result).toBe('non_ip');
    expect(decode(1, concat(ethernet(0x8100, [...u16(3), ...u16(0x0806)]), new Array<number>(28).fill(0))).result).toBe('non_ip');
    expect(decode(1, ethernet(0x88e5, new Array<number>(40).fill(0))).result).toBe('unsupported_ethertype');
    expect(decode(1, ethernet(0x88b5, new Array<number>(40).fill(0))).result).toBe('unsupported_ethertype');
  });
});

describe('Linux cooked captures', () => {
  it('SLL (113)', () => {
    // Outgoing (4), ARPHRD_ETHER (1), 6-byte address + 2 padding, protocol.
    const sll = (proto: number): number[] => [0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...u16(proto)];
    expectV4(LinkType.LINUX_SLL, concat(sll(0x0800), V4_DATA_IP), 16);
    expectV6(LinkType.LINUX_SLL, concat(sll(0x86dd), V6_DATA_IP), 16);
    expectV4(LinkType.LINUX_SLL, concat(sll(0x8100), [...u16(9), ...u16(0x0800)], V4_DATA_IP), 20);
    expect(decode(LinkType.LINUX_SLL, concat(sll(0x0806), new Array<number>(28).fill(0))).result).toBe('non_ip');
    // Netlink monitoring: protocol is a netlink family.
    expect(decode(LinkType.LINUX_SLL, concat([0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], new Array<number>(20).fill(0))).result).toBe('non_ip');
    expectTruncatedPrefixes(LinkType.LINUX_SLL, concat(sll(0x0800), V4_DATA_IP), 16 + 19);
  });

  it('SLL2 (276)', () => {
    const sll2 = (proto: number): number[] => [...u16(proto), 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0];
    expectV4(LinkType.LINUX_SLL2, concat(sll2(0x0800), V4_DATA_IP), 20);
    expectV6(LinkType.LINUX_SLL2, concat(sll2(0x86dd), V6_DATA_IP), 20);
    expectTruncatedPrefixes(LinkType.LINUX_SLL2, concat(sll2(0x0800), V4_DATA_IP), 20 + 19);
  });
});

describe('BSD loopback', () => {
  it('NULL (0): family in either byte order; AF_INET6 as 24, 28 or 30', () => {
    expectV4(LinkType.NULL, concat([2, 0, 0, 0], V4_DATA_IP), 4);
    expectV4(LinkType.NULL, concat([0, 0, 0, 2], V4_DATA_IP), 4);
    for (const af of [24, 28, 30]) {
      expectV6(LinkType.NULL, concat([af, 0, 0, 0], V6_DATA_IP), 4);
      expectV6(LinkType.NULL, concat([0, 0, 0, af], V6_DATA_IP), 4);
    }
    expect(decode(LinkType.NULL, concat([7, 0, 0, 0], V4_DATA_IP)).result).toBe('non_ip');
    expect(decode(LinkType.NULL, concat([2, 0, 0, 1], V4_DATA_IP)).result).toBe('non_ip');
    expect(decode(LinkType.NULL, Uint8Array.from([2, 0, 0])).result).toBe('truncated');
  });

  it('LOOP (108): family in network byte order only', () => {
    expectV4(LinkType.LOOP, concat([0, 0, 0, 2], V4_DATA_IP), 4);
    expectV6(LinkType.LOOP, concat([0, 0, 0, 24], V6_DATA_IP), 4);
    expect(decode(LinkType.LOOP, concat([2, 0, 0, 0], V4_DATA_IP)).result).toBe('non_ip');
  });
});

describe('raw IP and PPP', () => {
  it('RAW (101) and the DLT_RAW values 12 and 14: version nibble', () => {
    for (const lt of [101, 12, 14]) {
      expectV4(lt, V4_DATA_IP, 0);
      expectV6(lt, V6_DATA_IP, 0);
      expect(decode(lt, Uint8Array.from([0x00, 1, 2, 3])).result).toBe('non_ip');
      expect(decode(lt, new Uint8Array(0)).result).toBe('truncated');
    }
  });

  it('IPV4 (228) and IPV6 (229)', () => {
    expectV4(228, V4_DATA_IP, 0);
    expectV6(229, V6_DATA_IP, 0);
    expect(decode(228, V6_DATA_IP).result).toBe('bad_ip_header');
    expect(decode(229, V4_DATA_IP).result).toBe('bad_ip_header');
  });

  it('PPP (9) with and without HDLC framing, protocol field compressed or not', () => {
    expectV4(LinkType.PPP, concat([0xff, 0x03, 0x00, 0x21], V4_DATA_IP), 4);
    expectV4(LinkType.PPP, concat([0x00, 0x21], V4_DATA_IP), 2);
    expectV4(LinkType.PPP, concat([0x21], V4_DATA_IP), 1);
    expectV6(LinkType.PPP_HDLC, concat([0xff, 0x03, 0x00, 0x57], V6_DATA_IP), 4);
    expect(decode(LinkType.PPP, Uint8Array.from([0xc0, 0x21, 1, 1, 0, 4])).result).toBe('non_ip');
  });

  it('PPP_ETHER (51) and Cisco HDLC (104)', () => {
    expectV4(LinkType.PPP_ETHER, concat([0x11, 0, 0, 1, ...u16(V4_DATA_IP.length + 2), 0x00, 0x21], V4_DATA_IP), 8);
    expectV6(LinkType.C_HDLC, concat([0x0f, 0x00, ...u16(0x86dd)], V6_DATA_IP), 4);
  });
});

describe('decodeFrame', () => {
  it('an unknown link type → unsupported_link_type', () => {
    for (const lt of [106, 119, 147, 65535]) expect(decode(lt, V4_DATA_IP).result).toBe('unsupported_link_type');
  });

  it('alternating link types in one run use the right decoder each time', () => {
    const seg = newSegment();
    const frames = [
      frameOf(1, ethernet(0x0800, V4_DATA_IP)),
      frameOf(101, V4_DATA_IP),
      frameOf(113, concat([0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00], V4_DATA_IP)),
      frameOf(999, V4_DATA_IP),
      frameOf(0, concat([2, 0, 0, 0], V4_DATA_IP)),
    ];
    const results: (SkipReason | null)[] = [];
    for (let round = 0; round < 2; round++) for (const f of frames) results.push(decodeFrame(f, seg));
    expect(results).toEqual([null, null, null, 'unsupported_link_type', null, null, null, null, 'unsupported_link_type', null]);
  });

  it('fills frame identity and reuses the options object', () => {
    const seg = newSegment();
    const options = seg.options;
    const f = { ...frameOf(1, ethernet(0x0800, V4_DATA_IP)), fileIndex: 2, number: 77, tsSec: 12, tsNsec: 34 };
    expect(decodeFrame(f, seg)).toBeNull();
    expect(seg).toMatchObject({ fileIndex: 2, frame: 77, tsSec: 12, tsNsec: 34 });
    expect(seg.bytes).toBe(f.data);
    expect(seg.options).toBe(options);
  });

  it('the link-type table covers every documented link type', () => {
    expect([...LINK_TYPE_DECODERS.keys()].sort((a, b) => a - b)).toEqual([0, 1, 7, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 129, 149, 192, 228, 229, 239, 242, 258, 276]);
  });
});
