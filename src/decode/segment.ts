import type { SkipReason } from '../model/capture.js';

/**
 * A decoded TCP segment. The decoder fills one reusable `Segment` in place for every frame (no
 * per-packet allocation on the hot path): whoever needs a field after the next frame must copy it.
 * Addresses are not copied either: `bytes` is the frame's buffer, `srcOffset`/`dstOffset` point into it.
 */
import type { Reassembly } from './reassembly.js';
import { DEFAULT_DECAP, newTunnelLayers, type DecapConfig, type DecodeNotes, type TunnelLayer } from './tunnel.js';

export interface Segment {
  // --- where it came from
  fileIndex: number;
  frame: number;
  /** Byte offset of the frame's record in its (decompressed) file, for warnings. */
  fileOffset: number;
  tsSec: number;
  tsNsec: number;

  // --- IP
  ipVersion: 4 | 6;
  /**
   * The buffer holding the frame's bytes (the frame's own, or a larger one it was packed into);
   * addresses and the payload are read from here, at the offsets below.
   */
  bytes: Uint8Array;
  /** Where the frame's captured bytes end in `bytes`: the decoders read nothing at or past it. */
  capturedEnd: number;
  /** Where the frame's bytes start in `bytes` (0 unless it was packed with others, or reassembled). */
  frameStart: number;
  /**
   * The checksum verdicts when they were worked out already, by the reading thread as it packed the
   * frame (see {@link checksumVerdicts}); {@link CHECKSUMS_UNKNOWN} when the decoders verify them.
   */
  knownChecksums: number;
  srcOffset: number;
  dstOffset: number;
  /** 4 for IPv4, 16 for IPv6. */
  addrLength: number;
  ttl: number;
  /** IP header + TCP header + payload length, as the IP header says (Zeek's *_ip_bytes). */
  ipLength: number;
  /** The whole frame's length on the link (its original length, link header included, tunnel headers too). */
  wireLength: number;
  /** IPv4 header checksum: true/false when checked, null when the header bytes are not all there or IPv6. */
  ipChecksumOk: boolean | null;
  /** The IP header's ECN field (0..3). */
  ecn: number;
  /**
   * IPv4 Identification field (RFC 791 §3.1; 0..65535), or -1 for IPv6 (no such field outside a
   * fragment header). Lets the tracker tell a frame captured twice (same ID) from a retransmission.
   */
  ipId: number;

  // --- TCP
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit sequence number. */
  seq: number;
  /** Unsigned 32-bit acknowledgment number (meaningful only with ACK). */
  ack: number;
  /** TCP header length in bytes (data offset × 4). */
  headerLength: number;
  /** Bitmask of TcpFlag values. */
  flags: number;
  window: number;
  urgent: number;
  /** Payload length from the IP length (not the captured length), so padding and snaplen do not fake data. */
  payloadLength: number;
  /** How many payload bytes are actually in the capture (≤ payloadLength). */
  capturedPayload: number;
  /** Offset of the payload in `bytes`. */
  payloadOffset: number;
  /** TCP checksum: true/false when all bytes are captured, null when they are not. */
  checksumOk: boolean | null;
  /**
   * The wrong TCP checksum holds exactly the pseudo-header's folded sum: Linux checksum offload
   * (CHECKSUM_PARTIAL) left the rest to the NIC, and the capture on the sending host saw the segment
   * before the NIC completed it. Not corruption.
   */
  checksumPartial: boolean;

  /** Options, reset for every segment. */
  options: TcpOptions;

  // --- tunnels (see tunnel.ts)
  /** How many of `tunnels` the frame went through (0: not tunnelled); reset for every frame. */
  tunnelDepth: number;
  /** The opened encapsulations, outermost first (preallocated, MAX_TUNNEL_DEPTH long). */
  tunnels: TunnelLayer[];
  /** The run's decapsulation settings. */
  decap: DecapConfig;
  /** Where decoding notes worth a warning are counted (null: not counted, as on the reading thread). */
  notes: DecodeNotes | null;
  /** IP fragment reassembly (null: fragments are skipped, as on the reading thread). */
  reassembly: Reassembly | null;
}

/** TCP flag bits as in the header's 12 flag bits (AE is RFC 9768 / AccECN, bit 8). */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  AE: 0x100,
} as const;
export type TcpFlagName = keyof typeof TcpFlag;

export interface TcpOptions {
  /** Maximum segment size, or -1 when absent. */
  mss: number;
  /** Window scale shift count, or -1 when absent. */
  windowScale: number;
  sackPermitted: boolean;
  /** Number of SACK blocks present (left/right edges in `sackBlocks`, 2 numbers per block). */
  sackBlockCount: number;
  sackBlocks: number[];
  hasTimestamps: boolean;
  tsVal: number;
  tsEcr: number;
  /** TCP Fast Open cookie length in bytes (0 = cookie request), or -1 when absent (RFC 7413, kind 34). */
  tfoCookieLength: number;
  /** MPTCP option present (kind 30). */
  mptcp: boolean;
  /** Number of options of other kinds. */
  unknownCount: number;
  /** The option list runs past the header or has an impossible length. */
  malformed: boolean;
  /** The capture's snap length cut the option list short: options after the cut are unknown. */
  truncated: boolean;
}

export function newTcpOptions(): TcpOptions {
  return {
    mss: -1,
    windowScale: -1,
    sackPermitted: false,
    sackBlockCount: 0,
    sackBlocks: [0, 0, 0, 0, 0, 0, 0, 0],
    hasTimestamps: false,
    tsVal: 0,
    tsEcr: 0,
    tfoCookieLength: -1,
    mptcp: false,
    unknownCount: 0,
    malformed: false,
    truncated: false,
  };
}

export function newSegment(): Segment {
  return {
    fileIndex: 0,
    frame: 0,
    fileOffset: 0,
    tsSec: 0,
    tsNsec: 0,
    ipVersion: 4,
    bytes: new Uint8Array(0),
    capturedEnd: 0,
    frameStart: 0,
    knownChecksums: CHECKSUMS_UNKNOWN,
    srcOffset: 0,
    dstOffset: 0,
    addrLength: 4,
    ttl: 0,
    ipLength: 0,
    wireLength: 0,
    ipChecksumOk: null,
    ecn: 0,
    ipId: -1,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    headerLength: 20,
    flags: 0,
    window: 0,
    urgent: 0,
    payloadLength: 0,
    capturedPayload: 0,
    payloadOffset: 0,
    checksumOk: null,
    checksumPartial: false,
    options: newTcpOptions(),
    tunnelDepth: 0,
    tunnels: newTunnelLayers(),
    decap: DEFAULT_DECAP,
    notes: null,
    reassembly: null,
  };
}

/** Why a frame did not yield a TCP segment (named with the report contract, which counts them). */
export type { SkipReason };

/** The decoder returns null on success (the segment was filled) or the reason it was skipped. */
export type DecodeResult = SkipReason | null;

/** Segment.knownChecksums when the decoders are to verify the checksums themselves. */
export const CHECKSUMS_UNKNOWN = 0;
/** Set in every known verdicts value; then two bits for each verdict (0 null, 1 false, 2 true). */
const CHECKSUMS_KNOWN = 0x10;
const IP_SHIFT = 0;
const TCP_SHIFT = 2;
/** Set when the wrong TCP checksum is an offloaded one (Segment.checksumPartial). */
const TCP_PARTIAL = 0x20;

function verdictBits(ok: boolean | null): number {
  return ok === null ? 0 : ok ? 2 : 1;
}

function verdictOf(bits: number): boolean | null {
  return bits === 0 ? null : bits === 2;
}

/** The checksum verdicts of a decoded segment, for Segment.knownChecksums (a number below 2^6). */
export function checksumVerdicts(seg: Segment): number {
  return CHECKSUMS_KNOWN | (verdictBits(seg.ipChecksumOk) << IP_SHIFT) | (verdictBits(seg.checksumOk) << TCP_SHIFT) | (seg.checksumPartial ? TCP_PARTIAL : 0);
}

/** Whether known verdicts say the wrong TCP checksum is an offloaded partial one. */
export function knownTcpChecksumPartial(verdicts: number): boolean {
  return (verdicts & TCP_PARTIAL) !== 0;
}

/** The IPv4 header checksum verdict held in known verdicts. */
export function knownIpChecksum(verdicts: number): boolean | null {
  return verdictOf((verdicts >> IP_SHIFT) & 3);
}

/** The TCP checksum verdict held in known verdicts. */
export function knownTcpChecksum(verdicts: number): boolean | null {
  return verdictOf((verdicts >> TCP_SHIFT) & 3);
}

