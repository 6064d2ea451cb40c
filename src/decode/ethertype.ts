/**
 * EtherType dispatch, shared by Ethernet, Linux cooked captures and Cisco HDLC.
 *
 * Shim headers that only push the real EtherType further (802.1Q/802.1ad tags, Cisco VN-Tag,
 * Cisco FabricPath, LLC/SNAP) are peeled in a loop, so any stack of them costs no recursion;
 * the EtherType that remains is looked up in ETHERTYPE_DECODERS.
 *
 * Two reasons for "no IP here": 'non_ip' for protocols known not to carry IP (ARP, LLDP, 802.3/LLC
 * frames, PPPoE discovery, ...) — expected background on any LAN; 'unsupported_ethertype' for an
 * EtherType tcpshake does not know (MACsec, ...), which may hide TCP
 * behind an encapsulation it does not decode: worth a look when a capture shows many of them.
 */
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { decodeMpls } from './mpls.js';
import { decodePppoeSession } from './pppoe.js';
import type { DecodeResult, Segment } from './segment.js';
import { NoteKind, noteKey, pushTunnel, TunnelKind } from './tunnel.js';

/**
 * A layer decoder: decodes the header at `b[off..]` and everything inside it into `out`.
 * The frame's captured bytes end at `out.capturedEnd`; `wire` is where it ends on the wire (from its
 * original length), which is ≥ `out.capturedEnd`. Both are offsets in `b`.
 */
export type LayerDecoder = (b: Uint8Array, off: number, wire: number, out: Segment) => DecodeResult;

export const EtherType = {
  IPv4: 0x0800,
  ARP: 0x0806,
  WakeOnLan: 0x0842,
  RARP: 0x8035,
  AppleTalk: 0x809b,
  AARP: 0x80f3,
  /** IEEE 802.1Q VLAN tag (C-tag). */
  VLAN: 0x8100,
  IPX: 0x8137,
  IPv6: 0x86dd,
  FlowControl: 0x8808,
  SlowProtocols: 0x8809,
  MPLS: 0x8847,
  MPLSMulticast: 0x8848,
  PPPoEDiscovery: 0x8863,
  PPPoESession: 0x8864,
  EAPOL: 0x888e,
  /** IEEE 802.1ad provider bridging tag (S-tag, QinQ). */
  QinQ: 0x88a8,
  LLDP: 0x88cc,
  /** IEEE 802.1ah provider backbone bridging (PBB, "MAC-in-MAC"): an I-TAG, then a whole customer frame. */
  PBB: 0x88e7,
  PTP: 0x88f7,
  CFM: 0x8902,
  /** Cisco FabricPath: 2 more bytes (FTag/TTL), then a whole inner Ethernet header. */
  FabricPath: 0x8903,
  /** Cisco VN-Tag (IEEE 802.1Qbh): 4 bytes, then the next EtherType. */
  VNTag: 0x8926,
  LoopbackTest: 0x9000,
  /** Pre-standard QinQ S-tags. */
  VLAN9100: 0x9100,
  VLAN9200: 0x9200,
} as const;

/** EtherType → decoder for the protocols that carry (or are) IP. */
export const ETHERTYPE_DECODERS: ReadonlyMap<number, LayerDecoder> = new Map<number, LayerDecoder>([
  [EtherType.IPv4, decodeIPv4],
  [EtherType.IPv6, decodeIPv6],
  [EtherType.MPLS, decodeMpls],
  [EtherType.MPLSMulticast, decodeMpls],
  [EtherType.PPPoESession, decodePppoeSession],
]);

/** EtherTypes known not to carry IP: counted as 'non_ip'. */
export const NON_IP_ETHERTYPES: ReadonlySet<number> = new Set<number>([
  EtherType.ARP,
  EtherType.WakeOnLan,
  EtherType.RARP,
  EtherType.AppleTalk,
  EtherType.AARP,
  EtherType.IPX,
  EtherType.FlowControl,
  EtherType.SlowProtocols,
  EtherType.PPPoEDiscovery,
  EtherType.EAPOL,
  EtherType.LLDP,
  EtherType.PTP,
  EtherType.CFM,
  EtherType.LoopbackTest,
]);

/** Values up to 1500 in the type field are an IEEE 802.3 length (an LLC frame follows); 0x0600 up are EtherTypes. */
const MAX_8023_LENGTH = 0x05ff;

/**
 * Decodes the payload of type `type` that starts at `b[off..]`, peeling VLAN tags (any number, any of
 * 0x8100/0x88a8/0x9100/0x9200), VN-Tags, FabricPath headers and LLC/SNAP headers first.
 */
export function decodeEtherType(type: number, b: Uint8Array, off: number, wire: number, out: Segment): DecodeResult {
  const captured = out.capturedEnd;
  let t = type;
  let p = off;
  for (;;) {
    // The two that nearly every frame has, ahead of the table lookup.
    if (t === EtherType.IPv4) return decodeIPv4(b, p, wire, out);
    if (t === EtherType.IPv6) return decodeIPv6(b, p, wire, out);
    switch (t) {
      case EtherType.VLAN:
      case EtherType.QinQ:
      case EtherType.VLAN9100:
      case EtherType.VLAN9200:
        // 802.1Q tag: TCI (2 bytes), then the next type.
        if (p + 4 > captured) return 'truncated';
        t = (b[p + 2] << 8) | b[p + 3];
        p += 4;
        continue;
      case EtherType.VNTag:
        if (p + 6 > captured) return 'truncated';
        t = (b[p + 4] << 8) | b[p + 5];
        p += 6;
        continue;
      case EtherType.PBB:
        // IEEE 802.1ah I-TAG: PCP, DEI, UCA, reserved (1 byte), I-SID (3 bytes, the service instance:
        // the tunnel's identifier); then the customer's destination and source MACs and type.
        if (!out.decap.enabled) return 'unsupported_ethertype';
        if (p + 18 > captured) return 'truncated';
        if (!pushTunnel(out, TunnelKind.pbb, (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3], 0, 0, 0, 0, -1, -1)) {
          out.notes?.note(out.fileIndex, noteKey(NoteKind.tooDeep, 0), out.frame, out.fileOffset);
          return 'tunnel';
        }
        t = (b[p + 16] << 8) | b[p + 17];
        p += 18;
        continue;
      case EtherType.FabricPath:
        // FTag/TTL (2 bytes) end the 16-byte outer header; an inner Ethernet header (14 bytes) follows.
        if (p + 16 > captured) return 'truncated';
        t = (b[p + 14] << 8) | b[p + 15];
        p += 16;
        continue;
      default:
        break;
    }
    if (t <= MAX_8023_LENGTH) {
      // 802.3 length field: an 802.2 LLC header follows. Only SNAP with the EtherType OUI
      // (AA AA 03 00 00 00, RFC 1042) carries an EtherType on; STP, CDP, NetBIOS... are not IP.
      if (p + 3 > captured) return 'truncated';
      if (b[p] !== 0xaa || b[p + 1] !== 0xaa || b[p + 2] !== 0x03) return 'non_ip';
      if (p + 8 > captured) return 'truncated';
      if (b[p + 3] !== 0 || b[p + 4] !== 0 || b[p + 5] !== 0) return 'non_ip';
      t = (b[p + 6] << 8) | b[p + 7];
      p += 8;
      if (t <= MAX_8023_LENGTH) return 'non_ip';
      continue;
    }
    const decoder = ETHERTYPE_DECODERS.get(t);
    if (decoder !== undefined) return decoder(b, p, wire, out);
    return NON_IP_ETHERTYPES.has(t) ? 'non_ip' : 'unsupported_ethertype';
  }
}
