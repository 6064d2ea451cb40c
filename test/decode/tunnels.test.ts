/**
 * Tunnels, with byte fixtures built from the specifications each decoder cites: the inner TCP
 * segment comes out with its own addresses and ports, and the tunnel layers are recorded outermost
 * first. Real traces are checked in corpus.test.ts and the samples.
 */
import { describe, expect, it } from 'vitest';
import { decapConfig, decodeFrame, DecodeNotes, decodeNoteMessage, formatAddress, newSegment, Reassembly, TunnelKind, type Segment } from '../../src/decode/index.js';
import { concat, decode, decodeWith, ethernet, frameOf, ipv4, ipv6, tcp, u16, u32, V6_DST, V6_SRC } from './helpers.js';

const ETH = 1;
const INNER = ipv4(tcp({ sport: 40000, dport: 80, flags: 0x002, seq: 7 }), { src: [192, 168, 0, 1], dst: [192, 168, 0, 2] });
const INNER6 = ipv6(tcp({ sport: 40000, dport: 443, flags: 0x002 }));

function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concat([...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0], payload);
}

/** An outer IPv4 packet 10.0.0.1 → 10.0.0.2 carrying `payload` with `protocol`. */
function outer4(protocol: number, payload: Uint8Array, src = [10, 0, 0, 1], dst = [10, 0, 0, 2]): Uint8Array {
  return ethernet(0x0800, ipv4(payload, { protocol, src, dst, noTcpChecksum: true }));
}

function layers(seg: Segment): { kind: number; id: number; src: string; dst: string }[] {
  return seg.tunnels.slice(0, seg.tunnelDepth).map((t) => ({
    kind: t.kind,
    id: t.id,
    src: t.addrLength === 0 ? '' : formatAddress(seg.bytes, t.srcOffset, t.addrLength),
    dst: t.addrLength === 0 ? '' : formatAddress(seg.bytes, t.dstOffset, t.addrLength),
  }));
}

function inner(seg: Segment): string {
  return `${formatAddress(seg.bytes, seg.srcOffset, seg.addrLength)}:${seg.srcPort} → ${formatAddress(seg.bytes, seg.dstOffset, seg.addrLength)}:${seg.dstPort}`;
}

const vxlanHeader = (vni: number): number[] => [0x08, 0, 0, 0, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0];

describe('VXLAN (RFC 7348)', () => {
  it('UDP 4789 and 8472: the inner Ethernet frame is decoded, the VNI recorded', () => {
    for (const port of [4789, 8472]) {
      const { result, seg } = decode(ETH, outer4(17, udp(51000, port, concat(vxlanHeader(42), ethernet(0x0800, INNER)))));
      expect(result).toBeNull();
      expect(inner(seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
      expect(seg.checksumOk).toBe(true);
      expect(layers(seg)).toEqual([{ kind: TunnelKind.vxlan, id: 42, src: '10.0.0.1', dst: '10.0.0.2' }]);
      expect(seg.tunnels[0]).toMatchObject({ srcPort: 51000, dstPort: port });
    }
  });

  it('without the I flag it is no VXLAN packet; with decapsulation off, UDP stays non_tcp', () => {
    const bad = vxlanHeader(42);
    bad[0] = 0;
    expect(decode(ETH, outer4(17, udp(51000, 4789, concat(bad, ethernet(0x0800, INNER))))).result).toBe('non_tcp');
    expect(decodeWith(decapConfig({ enabled: false }), ETH, outer4(17, udp(51000, 4789, concat(vxlanHeader(42), ethernet(0x0800, INNER))))).result).toBe('non_tcp');
  });

  it('another port is opened only when configured; otherwise a VXLAN-shaped datagram is noted for a warning', () => {
    const frame = outer4(17, udp(51000, 4790, concat(vxlanHeader(7), ethernet(0x0800, INNER))));
    const seg = newSegment();
    seg.notes = new DecodeNotes();
    expect(decodeFrame(frameOf(ETH, frame), seg)).toBe('non_tcp');
    expect(decodeFrame(frameOf(ETH, frame, frame.length, 2), seg)).toBe('non_tcp');
    const notes = seg.notes.of(0);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ frames: 2, firstFrame: 1 });
    expect(decodeNoteMessage(notes[0]!.key, notes[0]!.frames)).toMatch(/UDP port 4790 look like VXLAN.*--tunnel-port vxlan=4790/);
    const opened = decodeWith(decapConfig({ ports: { vxlan: [4790] } }), ETH, frame);
    expect(opened.result).toBeNull();
    expect(layers(opened.seg)[0]).toMatchObject({ kind: TunnelKind.vxlan, id: 7 });
    // A default port can be given up.
    expect(decodeWith(decapConfig({ ignorePorts: [4789] }), ETH, outer4(17, udp(1, 4789, concat(vxlanHeader(7), ethernet(0x0800, INNER))))).result).toBe('non_tcp');
  });
});

describe('GENEVE (RFC 8926)', () => {
  it('options are skipped by their length; protocol 0x6558 carries Ethernet, an IP EtherType carries IP', () => {
    const options = [0x01, 0x02, 0x80, 0x01, 0xaa, 0xbb, 0xcc, 0xdd]; // one 4-byte option (class, type, length 1)
    const header = [2, 0, ...u16(0x6558), 0, 0, 9, 0];
    const { result, seg } = decode(ETH, outer4(17, udp(1234, 6081, concat(header, options, ethernet(0x0800, INNER)))));
    expect(result).toBeNull();
    expect(inner(seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
    expect(layers(seg)).toEqual([{ kind: TunnelKind.geneve, id: 9, src: '10.0.0.1', dst: '10.0.0.2' }]);
    const ip = decode(ETH, outer4(17, udp(1234, 6081, concat([0, 0, ...u16(0x86dd), 0, 0, 3, 0], INNER6))));
    expect(ip.result).toBeNull();
    expect(inner(ip.seg)).toBe('fd00::1:40000 → fd00::2:443');
    // Version 1 is not GENEVE as specified.
    expect(decode(ETH, outer4(17, udp(1234, 6081, concat([0x40, 0, ...u16(0x6558), 0, 0, 9, 0], ethernet(0x0800, INNER))))).result).toBe('non_tcp');
  });
});

describe('GRE (RFC 2784, RFC 2890) and ERSPAN', () => {
  it('checksum, key and sequence number are skipped; the key is the identifier; IPv4, IPv6 and Ethernet inside', () => {
    const gre = concat([0xb0, 0, ...u16(0x0800)], [0, 0, 0, 0], u32(0xdeadbeef), u32(5), INNER);
    const { result, seg } = decode(ETH, outer4(47, gre));
    expect(result).toBeNull();
    expect(inner(seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
    expect(layers(seg)).toEqual([{ kind: TunnelKind.gre, id: 0xdeadbeef, src: '10.0.0.1', dst: '10.0.0.2' }]);
    expect(decode(ETH, outer4(47, concat([0, 0, ...u16(0x86dd)], INNER6))).result).toBeNull();
    const tap = decode(ETH, outer4(47, concat([0x20, 0, ...u16(0x6558)], u32(3), ethernet(0x0800, INNER))));
    expect(tap.result).toBeNull();
    expect(layers(tap.seg)[0]!.id).toBe(3);
  });

  it('an unknown protocol type and source routing are noted, never silent', () => {
    const seg = newSegment();
    seg.notes = new DecodeNotes();
    expect(decodeFrame(frameOf(ETH, outer4(47, concat([0, 0, ...u16(0x1234)], INNER))), seg)).toBe('tunnel');
    expect(decodeFrame(frameOf(ETH, outer4(47, concat([0x40, 0, ...u16(0x0800)], INNER))), seg)).toBe('tunnel');
    const messages = seg.notes.of(0).map((n) => decodeNoteMessage(n.key, n.frames));
    expect(messages).toEqual([expect.stringMatching(/protocol type 0x1234/), expect.stringMatching(/source routing/)]);
  });

  it('GRE-in-UDP (RFC 8086, port 4754)', () => {
    const { result, seg } = decode(ETH, outer4(17, udp(999, 4754, concat([0, 0, ...u16(0x0800)], INNER))));
    expect(result).toBeNull();
    expect(seg.tunnels[0]).toMatchObject({ kind: TunnelKind.gre, dstPort: 4754 });
  });

  it('ERSPAN type I (no sequence), II (8-byte header) and III (12 bytes, + 8 with the O bit)', () => {
    const typeI = decode(ETH, outer4(47, concat([0, 0, ...u16(0x88be)], ethernet(0x0800, INNER))));
    expect(typeI.result).toBeNull();
    expect(typeI.seg.tunnels[0]).toMatchObject({ kind: TunnelKind.erspan, detail: 1, id: -1 });
    const ii = [0x10, 0x64, 0x00, 0x2a, 0, 0, 0, 1]; // version 1, VLAN 100, session 42
    const typeII = decode(ETH, outer4(47, concat([0x10, 0, ...u16(0x88be)], u32(9), ii, ethernet(0x0800, INNER))));
    expect(typeII.result).toBeNull();
    expect(typeII.seg.tunnels[0]).toMatchObject({ kind: TunnelKind.erspan, detail: 2, id: 42 });
    const iii = [0x20, 0x64, 0x01, 0x05, 0, 0, 0, 0, 0, 0, 0x00, 0x01]; // version 2, session 261, FT 0, O set
    const typeIII = decode(ETH, outer4(47, concat([0x10, 0, ...u16(0x22eb)], u32(9), iii, new Array<number>(8).fill(0), ethernet(0x0800, INNER))));
    expect(typeIII.result).toBeNull();
    expect(typeIII.seg.tunnels[0]).toMatchObject({ kind: TunnelKind.erspan, detail: 3, id: 261 });
    expect(inner(typeIII.seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
  });
});

describe('IP-in-IP in every combination', () => {
  it('IPv4 protocol 4 and 41, IPv6 next header 4 and 41', () => {
    const cases: [Uint8Array, string][] = [
      [outer4(4, INNER), '192.168.0.1:40000 → 192.168.0.2:80'],
      [outer4(41, INNER6), 'fd00::1:40000 → fd00::2:443'],
      [ethernet(0x86dd, ipv6(INNER, { protocol: 4, src: [0x20, 1, 0xd, 0xb8, ...new Array<number>(11).fill(0), 1], noTcpChecksum: true })), '192.168.0.1:40000 → 192.168.0.2:80'],
      [ethernet(0x86dd, ipv6(INNER6, { protocol: 41, noTcpChecksum: true })), 'fd00::1:40000 → fd00::2:443'],
    ];
    for (const [frame, text] of cases) {
      const { result, seg } = decode(ETH, frame);
      expect(result).toBeNull();
      expect(inner(seg)).toBe(text);
      expect(seg.tunnels[0]!.kind).toBe(TunnelKind.ipip);
      expect(seg.checksumOk).toBe(true);
    }
  });

  it('tunnels inside tunnels, bounded in depth', () => {
    const twice = outer4(47, concat([0x20, 0, ...u16(0x0800)], u32(5), ipv4(concat([...u16(1), ...u16(4789), ...u16(8 + 8 + 14 + INNER.length), 0, 0], vxlanHeader(77), ethernet(0x0800, INNER)), { protocol: 17, src: [172, 16, 0, 1], dst: [172, 16, 0, 2] })));
    const { result, seg } = decode(ETH, twice);
    expect(result).toBeNull();
    expect(layers(seg)).toEqual([
      { kind: TunnelKind.gre, id: 5, src: '10.0.0.1', dst: '10.0.0.2' },
      { kind: TunnelKind.vxlan, id: 77, src: '172.16.0.1', dst: '172.16.0.2' },
    ]);
    let p = INNER;
    for (let i = 0; i < 5; i++) p = ipv4(p, { protocol: 4 });
    const deep = newSegment();
    deep.notes = new DecodeNotes();
    expect(decodeFrame(frameOf(ETH, ethernet(0x0800, p)), deep)).toBe('tunnel');
    expect(deep.notes.of(0)).toHaveLength(1);
  });
});

describe('GTP-U (3GPP TS 29.281)', () => {
  it('the TEID is recorded; the optional fields and extension headers are skipped', () => {
    // E and S flags; next extension type 0x85 (PDU session container), one 4-byte extension.
    const ext = [1, 0x10, 0x09, 0];
    const header = [0x36, 0xff, ...u16(4 + ext.length + INNER.length), ...u32(0x01020304), 0, 1, 0, 0x85];
    const { result, seg } = decode(ETH, outer4(17, udp(2152, 2152, concat(header, ext, INNER))));
    expect(result).toBeNull();
    expect(inner(seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
    expect(seg.tunnels[0]).toMatchObject({ kind: TunnelKind.gtp, id: 0x01020304 });
    // Echo request (type 1): no user packet.
    expect(decode(ETH, outer4(17, udp(2152, 2152, Uint8Array.from([0x30, 1, 0, 0, 0, 0, 0, 0])))).result).toBe('non_tcp');
  });
});

describe('Teredo (RFC 4380) and AYIYA', () => {
  const teredo6 = ipv6(tcp({ sport: 1286, dport: 80, flags: 0x002 }), {
    src: [0x20, 0x01, 0, 0, 0x41, 0x37, 0x9e, 0x50, 0x80, 0, 0xf1, 0x2a, 0xb9, 0xc8, 0x28, 0x15],
    dst: [0x20, 0x01, 0x48, 0x60, 0, 0, 0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x68],
  });
  it('with authentication and origin indication headers, on port 3544', () => {
    const auth = [0, 1, 2, 1, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 0];
    const origin = [0, 0, 0x12, 0x34, 1, 2, 3, 4];
    const { result, seg } = decode(ETH, outer4(17, udp(3544, 40000, concat(auth, origin, teredo6))));
    expect(result).toBeNull();
    expect(seg.tunnels[0]!.kind).toBe(TunnelKind.teredo);
    expect(inner(seg)).toBe('2001:0:4137:9e50:8000:f12a:b9c8:2815:1286 → 2001:4860:0:2001::68:80');
  });

  it('on any port by its shape and Teredo addresses; not an IPv6 packet between other addresses', () => {
    expect(decode(ETH, outer4(17, udp(3797, 32900, teredo6))).result).toBeNull();
    expect(decode(ETH, outer4(17, udp(3797, 32900, INNER6))).result).toBe('non_tcp');
    expect(decodeWith(decapConfig({ teredoAnyPort: false }), ETH, outer4(17, udp(3797, 32900, teredo6))).result).toBe('non_tcp');
  });

  it('AYIYA: identity and signature skipped by their lengths, next header 41', () => {
    const header = [0x41, 0x52, 0x11, 41, 0, 0, 0, 0, ...new Array<number>(16).fill(0x11), ...new Array<number>(20).fill(0x22)];
    const { result, seg } = decode(ETH, outer4(17, udp(5072, 5072, concat(header, INNER6))));
    expect(result).toBeNull();
    expect(seg.tunnels[0]!.kind).toBe(TunnelKind.ayiya);
  });
});

describe('PBB (IEEE 802.1ah)', () => {
  it('the I-TAG and the customer MACs are skipped; the I-SID is recorded', () => {
    const itag = [0, 0x01, 0x00, 0x2a];
    const { result, seg } = decode(ETH, ethernet(0x88e7, concat(itag, new Array<number>(12).fill(2), u16(0x0800), INNER)));
    expect(result).toBeNull();
    expect(seg.tunnels[0]).toMatchObject({ kind: TunnelKind.pbb, id: 0x01002a, addrLength: 0 });
  });
});

describe('link types', () => {
  it('NFLOG (239): the payload TLV, in either byte order', () => {
    const le = concat([2, 0, 0, 1], [8, 0, 1, 0, 0, 0, 0, 0], [...[(4 + INNER.length) & 0xff, (4 + INNER.length) >> 8], 9, 0], INNER);
    expect(decode(239, le).result).toBeNull();
    const be = concat([2, 0, 0, 1], [0, 8, 0, 1, 0, 0, 0, 0], [...u16(4 + INNER.length), 0, 9], INNER);
    expect(decode(239, be).result).toBeNull();
  });

  it('IPoIB (242), ARCNET BSD (7) and Linux (129), PKTAP (258), radiotap (127), PPI (192)', () => {
    expect(decode(242, concat(new Array<number>(40).fill(0), u16(0x0800), [0, 0], INNER)).result).toBeNull();
    expect(decode(7, concat([1, 2, 240], INNER)).result).toBeNull();
    expect(decode(7, concat([1, 2, 212, 0, 0, 1], INNER)).result).toBeNull();
    expect(decode(7, concat([1, 2, 212, 2, 0, 1], INNER)).result).toBe('fragment');
    expect(decode(129, concat([1, 2, 0, 0, 212, 0, 0, 1], INNER)).result).toBeNull();
    const pktap = new Uint8Array(108);
    pktap.set([108, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    expect(decode(258, concat(pktap, ethernet(0x0800, INNER))).result).toBeNull();
    expect(decode(149, concat(pktap, ethernet(0x0800, INNER))).result).toBeNull();
    // An 802.11 QoS data frame, from DS, then LLC/SNAP.
    const wifi = concat([0x88, 0x02, 0, 0], new Array<number>(18).fill(1), [0, 0], [0, 0], [0xaa, 0xaa, 3, 0, 0, 0, 8, 0], INNER);
    expect(decode(105, wifi).result).toBeNull();
    expect(decode(127, concat([0, 0, 8, 0, 0, 0, 0, 0], wifi)).result).toBeNull();
    expect(decode(192, concat([0, 0, 8, 0, 105, 0, 0, 0], wifi)).result).toBeNull();
    const encrypted = Uint8Array.from(wifi);
    encrypted[1] = 0x42;
    expect(decode(105, encrypted).result).toBe('non_ip');
  });
});

describe('IP lengths and fragments', () => {
  it('an IPv4 total length beyond the frame on the wire yields no payload (no DATA bit), and is noted', () => {
    const ip = ipv4(tcp({ flags: 0x010 }), { totalLength: 820 });
    const seg = newSegment();
    seg.notes = new DecodeNotes();
    expect(decodeFrame(frameOf(ETH, ethernet(0x0800, ip)), seg)).toBeNull();
    expect(seg.payloadLength).toBe(0);
    expect(seg.notes.of(0)).toHaveLength(1);
    // Cut by the snap length only: the payload was on the wire, and counts.
    const snapped = decode(ETH, ethernet(0x0800, ip), 14 + 820);
    expect(snapped.seg.payloadLength).toBe(800 - 20);
  });

  function fragments4(datagram: Uint8Array, size: number): Uint8Array[] {
    const header = datagram.slice(0, 20);
    const payload = datagram.slice(20);
    const out: Uint8Array[] = [];
    for (let o = 0; o < payload.length; o += size) {
      const part = payload.slice(o, o + size);
      const more = o + size < payload.length;
      out.push(ethernet(0x0800, ipv4(part, { protocol: header[9], src: [...header.slice(12, 16)], dst: [...header.slice(16, 20)], id: 77, frag: (more ? 0x2000 : 0) | (o >> 3), noTcpChecksum: true })));
    }
    return out;
  }

  it('IPv4 fragments reassembled in any order, decoded in the frame that completed the datagram', () => {
    const big = ipv4(tcp({ flags: 0x018, payload: new Uint8Array(100).fill(7) }));
    const parts = fragments4(big, 48);
    for (const order of [[0, 1, 2], [2, 0, 1], [1, 2, 0]]) {
      const seg = newSegment();
      seg.reassembly = new Reassembly();
      const results = order.map((i, n) => decodeFrame(frameOf(ETH, parts[i]!, parts[i]!.length, n + 1), seg));
      expect(results).toEqual(['fragment', 'fragment', null]);
      expect(seg).toMatchObject({ frame: 3, payloadLength: 100, checksumOk: true, ipLength: 140 });
      expect(seg.reassembly.size).toBe(0);
    }
  });

  it('overlapping fragments with different bytes drop the datagram as fragment_overlap; identical overlaps are harmless', () => {
    const big = ipv4(tcp({ flags: 0x018, payload: new Uint8Array(100).fill(7) }));
    const parts = fragments4(big, 48);
    const evil = fragments4(ipv4(tcp({ flags: 0x018, payload: new Uint8Array(100).fill(9) })), 48)[1]!;
    const seg = newSegment();
    seg.reassembly = new Reassembly();
    seg.notes = new DecodeNotes();
    expect(decodeFrame(frameOf(ETH, parts[0]!), seg)).toBe('fragment');
    expect(decodeFrame(frameOf(ETH, parts[1]!), seg)).toBe('fragment');
    expect(decodeFrame(frameOf(ETH, evil), seg)).toBe('fragment');
    expect(decodeFrame(frameOf(ETH, parts[2]!), seg)).toBe('fragment');
    expect(decodeNoteMessage(seg.notes.of(0)[0]!.key, 3)).toMatch(/fragment_overlap/);
    const again = newSegment();
    again.reassembly = new Reassembly();
    const results = [0, 1, 1, 2].map((i) => decodeFrame(frameOf(ETH, parts[i]!), again));
    expect(results).toEqual(['fragment', 'fragment', 'fragment', null]);
  });

  it('incomplete datagrams are dropped after the timeout and at the end, bounded in number', () => {
    const parts = fragments4(ipv4(tcp({ payload: new Uint8Array(100) })), 48);
    const seg = newSegment();
    seg.reassembly = new Reassembly({ timeout: 30, maxDatagrams: 1 });
    seg.notes = new DecodeNotes();
    decodeFrame(frameOf(ETH, parts[0]!), seg);
    expect(seg.reassembly.size).toBe(1);
    const later = { ...frameOf(ETH, fragments4(ipv4(tcp({ payload: new Uint8Array(100) }), { id: 78 }), 48)[0]!), tsSec: 1_700_000_100 };
    decodeFrame(later, seg);
    expect(seg.reassembly.size).toBe(1);
    seg.reassembly.finish(seg);
    expect(seg.reassembly.size).toBe(0);
    expect(seg.notes.of(0).map((n) => n.frames)).toEqual([2]);
  });

  it('IPv6 fragments (RFC 8200 §4.5): the fragment header goes, its next header takes its place', () => {
    const body = tcp({ flags: 0x018, payload: new Uint8Array(60).fill(3) });
    const whole = ipv6(body);
    const payload = whole.slice(40);
    const frag = (offset: number, more: boolean, bytes: Uint8Array): Uint8Array =>
      ethernet(0x86dd, ipv6(bytes, { ext: [{ type: 44, bytes: [0, 0, ...u16(offset | (more ? 1 : 0)), ...u32(99)] }], protocol: 6, noTcpChecksum: true }));
    const a = frag(0, true, payload.slice(0, 40));
    const b = frag(40, false, payload.slice(40));
    const seg = newSegment();
    seg.reassembly = new Reassembly();
    expect(decodeFrame(frameOf(ETH, b), seg)).toBe('fragment');
    expect(decodeFrame(frameOf(ETH, a), seg)).toBeNull();
    expect(seg).toMatchObject({ payloadLength: 60, checksumOk: true, ipLength: 40 + 80 });
    expect(formatAddress(seg.bytes, seg.srcOffset, 16)).toBe(formatAddress(Uint8Array.from(V6_SRC), 0, 16));
    expect(formatAddress(seg.bytes, seg.dstOffset, 16)).toBe(formatAddress(Uint8Array.from(V6_DST), 0, 16));
  });

  it('a fragmented outer packet of a tunnel is reassembled, then opened', () => {
    const gtp = [0x30, 0xff, ...u16(INNER.length), ...u32(9)];
    const outer = ipv4(udp(2152, 2152, concat(gtp, INNER)), { protocol: 17, noTcpChecksum: true });
    const parts = fragments4(outer, 32);
    const seg = newSegment();
    seg.reassembly = new Reassembly();
    const results = parts.map((p) => decodeFrame(frameOf(ETH, p), seg));
    expect(results.at(-1)).toBeNull();
    expect(inner(seg)).toBe('192.168.0.1:40000 → 192.168.0.2:80');
    expect(layers(seg)).toEqual([{ kind: TunnelKind.gtp, id: 9, src: '10.0.0.1', dst: '10.0.0.2' }]);
  });
});
