/**
 * Frame → Segment: the packet decoders.
 *
 * `decodeFrame` is the hot path of tcpshake: it reads the frame's bytes in place, bounds-checked,
 * and fills one reused Segment; it allocates nothing and never throws on packet bytes (every
 * impossibility is a SkipReason). One file per protocol; LINK_TYPE_DECODERS and
 * ETHERTYPE_DECODERS are the dispatch tables.
 */
import type { Frame } from '../capture/frame.js';
import type { PackedFrames } from '../capture/packed.js';
import { LINK_TYPE_DECODERS } from './linktype.js';
import { CHECKSUMS_UNKNOWN, type DecodeResult, type Segment } from './segment.js';

export { formatAddress } from './address.js';
export { checksumVerifies, fold16, internetChecksum, pseudoHeaderSum4, pseudoHeaderSum6, sum16 } from './checksum.js';
export { decodeCiscoHdlc, decodeEthernet, ETHERNET_HEADER } from './ethernet.js';
export { decodeEtherType, ETHERTYPE_DECODERS, EtherType, NON_IP_ETHERTYPES, type LayerDecoder } from './ethertype.js';
export { IpProtocol, skipReasonForProtocol } from './ipproto.js';
export { Reassembly, type ReassemblyLimits } from './reassembly.js';
export {
  DEFAULT_DECAP,
  DEFAULT_TUNNEL_PORTS,
  decapConfig,
  DecodeNotes,
  decodeNoteMessage,
  MAX_TUNNEL_DEPTH,
  TUNNEL_KIND_NAMES,
  TunnelKind,
  UDP_TUNNEL_NAMES,
  UdpTunnel,
  type DecapConfig,
  type DecapOptions,
  type TunnelKindName,
  type TunnelLayer,
  type UdpTunnelName,
} from './tunnel.js';
export { decodeIPv4, IPV4_MIN_HEADER } from './ipv4.js';
export { decodeIPv6, IPV6_HEADER } from './ipv6.js';
export { LINK_TYPE_DECODERS, LinkType, linkTypeDecoder } from './linktype.js';
export { decodeLoop, decodeNull, LOOPBACK_HEADER } from './loopback.js';
export { decodeMpls } from './mpls.js';
export { parseTcpOptions, resetTcpOptions, TFO_EXPERIMENT_ID, TcpOptionKind } from './options.js';
export { decodePpp, decodePppoeSession, decodePppPayload, PPPOE_HEADER, PppProtocol } from './pppoe.js';
export { decodeRawIp } from './rawip.js';
export {
  checksumVerdicts,
  CHECKSUMS_UNKNOWN,
  newSegment,
  newTcpOptions,
  TcpFlag,
  type DecodeResult,
  type Segment,
  type SkipReason,
  type TcpFlagName,
  type TcpOptions,
} from './segment.js';
export { decodeSll, decodeSll2, SLL2_HEADER, SLL_HEADER } from './sll.js';
export { decodeTcp, flagsToString, NO_CHECKSUM, TCP_MIN_HEADER, TCP_RESERVED_FLAGS } from './tcp.js';

/**
 * Decodes one frame into `out` (a reusable Segment, filled in place, no allocation per packet).
 * Returns null when `out` now holds a TCP segment, else the SkipReason (and `out`'s fields are then
 * unspecified). Never throws on packet bytes.
 */
export function decodeFrame(frame: Frame, out: Segment): DecodeResult {
  const b = frame.data;
  out.fileIndex = frame.fileIndex;
  out.frame = frame.number;
  out.fileOffset = frame.offset;
  out.tsSec = frame.tsSec;
  out.tsNsec = frame.tsNsec;
  out.knownChecksums = CHECKSUMS_UNKNOWN;
  return decodeLinkLayer(frame.linkType, b, 0, b.length, frame.originalLength, out);
}

/**
 * decodeFrame() for the frame packed at byte `at` of `frames` (see capture/packed.ts), decoded where
 * it lies: `out.bytes` is the whole packed buffer and every offset in `out` points into it. The
 * checksums are not summed again when the reading thread packed their verdicts with the frame.
 */
export function decodePacked(frames: PackedFrames, at: number, out: Segment): DecodeResult {
  out.fileIndex = frames.fileIndex(at);
  out.frame = frames.number(at);
  out.fileOffset = frames.fileOffset(at);
  out.tsSec = frames.tsSec(at);
  out.tsNsec = frames.tsNsec(at);
  out.knownChecksums = frames.checksums(at);
  return decodeLinkLayer(frames.linkType(at), frames.bytes, frames.dataStart(at), frames.length(at), frames.originalLength(at), out);
}

/** The frame's `captured` bytes at `b[start..]` (`original` long on the wire), from its link layer up. */
function decodeLinkLayer(linkType: number, b: Uint8Array, start: number, captured: number, original: number, out: Segment): DecodeResult {
  out.bytes = b;
  out.frameStart = start;
  out.capturedEnd = start + captured;
  out.wireLength = original > captured ? original : captured;
  out.tunnelDepth = 0;
  const decoder = LINK_TYPE_DECODERS.get(linkType);
  if (decoder === undefined) return 'unsupported_link_type';
  return decoder(b, start, start + (original > captured ? original : captured), out);
}
