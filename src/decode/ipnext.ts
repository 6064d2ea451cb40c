/**
 * What an IP header carries when it is not TCP: the encapsulations opened at the IP layer
 * (IP-in-IP, GRE, and UDP-borne tunnels), or the reason the packet is skipped.
 *
 * Called by the IPv4 and IPv6 decoders with the payload's bounds and where the outer addresses lie;
 * the tunnel is recorded in the Segment (see tunnel.ts) before its payload is decoded, so the inner
 * packet's decoders simply overwrite the IP and TCP fields with the inner ones.
 */
import { decodeGre } from './gre.js';
import { IpProtocol, skipReasonForProtocol } from './ipproto.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import type { DecodeResult, Segment } from './segment.js';
import { NoteKind, noteKey, pushTunnel, TunnelKind } from './tunnel.js';
import { decodeUdp } from './udp.js';

/**
 * Decodes the non-TCP payload `b[off..end)` of an IP packet whose protocol / next header is
 * `protocol`; `addrLength`, `srcOffset`, `dstOffset` locate the outer addresses.
 */
export function decodeIpPayload(
  protocol: number,
  b: Uint8Array,
  off: number,
  end: number,
  addrLength: number,
  srcOffset: number,
  dstOffset: number,
  out: Segment,
): DecodeResult {
  if (!out.decap.enabled) return skipReasonForProtocol(protocol);
  switch (protocol) {
    case IpProtocol.UDP:
    case IpProtocol.GRE:
    case IpProtocol.IPIP:
    case IpProtocol.IPv6:
      break;
    default:
      return skipReasonForProtocol(protocol);
  }
  if (!pushTunnel(out, 0, -1, 0, addrLength, srcOffset, dstOffset, -1, -1)) {
    out.notes?.note(out.fileIndex, noteKey(NoteKind.tooDeep, 0), out.frame, out.fileOffset);
    return 'tunnel';
  }
  switch (protocol) {
    case IpProtocol.UDP:
      return decodeUdp(b, off, end, out);
    case IpProtocol.GRE:
      return decodeGre(b, off, end, out);
    default:
      return decodeIpInIp(protocol, b, off, end, out);
  }
}

/**
 * IP-in-IP: IPv4 protocol / IPv6 next header 4 carries an IPv4 packet (RFC 2003), 41 an IPv6 packet
 * (RFC 4213 §3.5 "6in4"/sit, RFC 2473 for IPv6 over IPv6), in every combination of outer and inner
 * version. The inner version nibble must agree with the protocol number.
 */
function decodeIpInIp(protocol: number, b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  const layer = out.tunnels[out.tunnelDepth - 1]!;
  layer.kind = TunnelKind.ipip;
  layer.detail = protocol;
  if (off >= out.capturedEnd) return off >= end ? 'bad_ip_header' : 'truncated';
  const version = b[off]! >> 4;
  if (protocol === IpProtocol.IPIP) return version === 4 ? decodeIPv4(b, off, end, out) : 'bad_ip_header';
  return version === 6 ? decodeIPv6(b, off, end, out) : 'bad_ip_header';
}

/** An IP packet by its version nibble (the payload of tunnels that do not say which version they carry). */
export function decodeIpByVersion(b: Uint8Array, off: number, end: number, out: Segment): DecodeResult {
  if (off >= out.capturedEnd) return off >= end ? 'non_ip' : 'truncated';
  switch (b[off]! >> 4) {
    case 4:
      return decodeIPv4(b, off, end, out);
    case 6:
      return decodeIPv6(b, off, end, out);
    default:
      return 'non_ip';
  }
}
