/**
 * UDP (RFC 768), only as the carrier of tunnels: a datagram whose destination port — else its
 * source port — is a tunnel port of the run's DecapConfig is opened, and Teredo on any port by its
 * shape (see teredo.ts); any other UDP is 'non_tcp'.
 *
 * So that a tunnel on a port tcpshake does not open is never silent, a datagram on another port
 * whose payload has the unmistakable shape of a VXLAN, GENEVE, GTP-U or Teredo packet is noted
 * (DecodeNotes), and the run warns with the port and the number of frames.
 */
import { decodeAyiya } from './ayiya.js';
import { decodeGeneve } from './geneve.js';
import { decodeGre } from './gre.js';
import { decodeGtpU } from './gtp.js';
import type { DecodeResult, Segment } from './segment.js';
import { decodeTeredo, decodeTeredoByShape } from './teredo.js';
import { NoteKind, noteKey, UdpTunnel } from './tunnel.js';
import { decodeVxlan } from './vxlan.js';

export const UDP_HEADER = 8;

/**
 * The UDP datagram at `b[off..end)`; the caller has pushed a tunnel layer for it (kind still 0),
 * which the tunnel's decoder completes.
 */
export function decodeUdp(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off + UDP_HEADER > end) return 'bad_ip_header';
  if (off + UDP_HEADER > out.capturedEnd) return 'truncated';
  const srcPort = (b[off]! << 8) | b[off + 1]!;
  const dstPort = (b[off + 2]! << 8) | b[off + 3]!;
  const ports = out.decap.udpPorts;
  let tunnel = ports[dstPort]!;
  if (tunnel === UdpTunnel.none) tunnel = ports[srcPort]!;
  // The UDP length bounds the payload when it is consistent (0 in a jumbogram, RFC 2675 §4).
  const length = (b[off + 4]! << 8) | b[off + 5]!;
  const udpEnd = length >= UDP_HEADER && off + length <= end ? off + length : end;
  const p = off + UDP_HEADER;
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.srcPort = srcPort;
  layer.dstPort = dstPort;
  switch (tunnel) {
    case UdpTunnel.none: {
      if (out.decap.teredoAnyPort) {
        const teredo = decodeTeredoByShape(b, p, udpEnd, out);
        if (teredo !== undefined) return teredo;
      }
      noteLookalike(b, p, udpEnd, srcPort, dstPort, out);
      return 'non_tcp';
    }
    case UdpTunnel.vxlan:
      return decodeVxlan(b, p, udpEnd, out);
    case UdpTunnel.geneve:
      return decodeGeneve(b, p, udpEnd, out);
    case UdpTunnel.gtp:
      return decodeGtpU(b, p, udpEnd, out);
    case UdpTunnel.teredo:
      return decodeTeredo(b, p, udpEnd, out);
    case UdpTunnel.ayiya:
      return decodeAyiya(b, p, udpEnd, out);
    case UdpTunnel.gre:
      // GRE-in-UDP (RFC 8086 §3): the GRE header follows the UDP header.
      return decodeGre(b, p, udpEnd, out);
    default:
      return 'non_tcp';
  }
}

/** True when an IPv4 or IPv6 header starts at `p` and its length fills `b[p..end)` exactly. */
function ipFills(b: Uint8Array, p: number, end: number, captured: number): boolean {
  if (p + 20 > captured) return false;
  const v = b[p]! >> 4;
  if (v === 4) return (b[p]! & 0x0f) >= 5 && p + ((b[p + 2]! << 8) | b[p + 3]!) === end;
  if (v === 6) return p + 40 <= end && p + 40 + ((b[p + 4]! << 8) | b[p + 5]!) === end;
  return false;
}

/** An Ethernet header carrying IPv4, IPv6 or a VLAN tag at `p`. */
function ethernetAt(b: Uint8Array, p: number, captured: number): boolean {
  if (p + 14 > captured) return false;
  const t = (b[p + 12]! << 8) | b[p + 13]!;
  return t === 0x0800 || t === 0x86dd || t === 0x8100;
}

/**
 * Notes a datagram on a port no tunnel is opened on whose payload has a tunnel's shape: the header's
 * fixed bits exactly as the specification sets them and an Ethernet or IP header (whose length fills
 * the datagram) right behind it. Which port is named: the destination, or the source when the
 * source is the registered one of a tunnel that answers from its port (Teredo relays, GTP-U peers).
 */
function noteLookalike(b: Uint8Array, p: number, end: number, srcPort: number, dstPort: number, out: Segment): void {
  const notes = out.notes;
  if (notes === null || p + 8 > end) return;
  const captured = out.capturedEnd;
  if (p + 8 > captured) return;
  let kind: number = UdpTunnel.none;
  const f = b[p]!;
  // VXLAN (RFC 7348 §5): flags 0x08 (I), reserved bits zero, then Ethernet.
  if (f === 0x08 && b[p + 1] === 0 && b[p + 2] === 0 && b[p + 3] === 0 && b[p + 7] === 0 && ethernetAt(b, p + 8, captured)) kind = UdpTunnel.vxlan;
  // GENEVE (RFC 8926 §3.4): version 0, protocol 0x6558 then Ethernet, or an IP EtherType then IP.
  else if (f >> 6 === 0 && (b[p + 1]! & 0x3f) === 0 && b[p + 7] === 0) {
    const proto = (b[p + 2]! << 8) | b[p + 3]!;
    const q = p + 8 + ((f & 0x3f) << 2);
    if ((proto === 0x6558 && ethernetAt(b, q, captured)) || ((proto === 0x0800 || proto === 0x86dd) && ipFills(b, q, end, captured))) kind = UdpTunnel.geneve;
  }
  // GTP-U (3GPP TS 29.281 §5.1): version 1, PT 1, G-PDU (255), length = the rest of the datagram.
  if (kind === UdpTunnel.none && f >> 4 === 3 && (f & 0x07) === 0 && b[p + 1] === 0xff && p + 8 + ((b[p + 2]! << 8) | b[p + 3]!) === end && ipFills(b, p + 8, end, captured)) {
    kind = UdpTunnel.gtp;
  }
  // Teredo (RFC 4380 §5.1.1): a bare IPv6 packet filling the datagram.
  if (kind === UdpTunnel.none && f >> 4 === 6 && ipFills(b, p, end, captured)) kind = UdpTunnel.teredo;
  if (kind === UdpTunnel.none) return;
  const ports = out.decap.udpPorts;
  // A datagram from a port opened for a tunnel whose payload is not that tunnel: nothing to say here.
  if (ports[srcPort] !== UdpTunnel.none) return;
  notes.note(out.fileIndex, noteKey(NoteKind.unopenedUdp + kind, dstPort), out.frame, out.fileOffset);
}
