/**
 * Tunnels: what the decoders record about each encapsulation they open, and the run's
 * decapsulation settings.
 *
 * A frame's tunnels are recorded, outermost first, in the Segment's preallocated `tunnels` array
 * (`tunnelDepth` of them in use): kind, identifier (VNI, GRE key, ERSPAN session, I-SID, GTP-U TEID)
 * and where the outer addresses lie in the frame's bytes. Nothing is allocated per packet; flow/
 * turns the layers into the connection's identity and the report's `encapsulation` list.
 *
 * The settings (`DecapConfig`) come from the caller (CLI options → AnalyzeOptions → the Segment the
 * run decodes into), never from global state.
 */

/** The kinds of encapsulation tcpshake opens, as small numbers (names in TUNNEL_KIND_NAMES). */
export const TunnelKind = {
  vxlan: 1,
  geneve: 2,
  gre: 3,
  erspan: 4,
  ipip: 5,
  gtp: 6,
  teredo: 7,
  ayiya: 8,
  pbb: 9,
} as const;
export type TunnelKindName = keyof typeof TunnelKind;

/** Kind number → name (index 0 unused). */
export const TUNNEL_KIND_NAMES: readonly TunnelKindName[] = ['vxlan', 'vxlan', 'geneve', 'gre', 'erspan', 'ipip', 'gtp', 'teredo', 'ayiya', 'pbb'];

/** Tunnels inside tunnels are opened up to this depth; a deeper frame is skipped as 'tunnel'. */
export const MAX_TUNNEL_DEPTH = 4;

/** One opened encapsulation of the current frame (reused from frame to frame). */
export interface TunnelLayer {
  kind: number;
  /**
   * VNI (VXLAN, GENEVE), GRE key, ERSPAN session id, PBB I-SID, PPTP call id, GTP-U TEID; -1 when the
   * header has none. It may differ between the two directions of one flow (a TEID names the receiving
   * end; OVN's GENEVE VNIs and Linux GRE's ikey/okey can differ too): see flow/table.ts.
   */
  id: number;
  /**
   * What the kind says about its payload: IP protocol 4 or 41 (ipip), the GRE protocol type (gre),
   * the ERSPAN type 1, 2 or 3 (erspan), GRE version 1 = PPTP (as 0x880b, gre); 0 otherwise.
   */
  detail: number;
  /** 4 or 16: the outer IP header's address length; 0 when the layer has no IP endpoints (pbb). */
  addrLength: number;
  /** Offsets of the outer source / destination address in the frame's bytes. */
  srcOffset: number;
  dstOffset: number;
  /** Outer UDP ports (UDP-borne tunnels); -1 otherwise. */
  srcPort: number;
  dstPort: number;
}

export function newTunnelLayers(): TunnelLayer[] {
  return Array.from({ length: MAX_TUNNEL_DEPTH }, () => ({
    kind: 0,
    id: -1,
    detail: 0,
    addrLength: 0,
    srcOffset: 0,
    dstOffset: 0,
    srcPort: -1,
    dstPort: -1,
  }));
}

/** UDP-borne tunnels, as the per-port table holds them (0: none). */
export const UdpTunnel = {
  none: 0,
  vxlan: 1,
  geneve: 2,
  gtp: 3,
  teredo: 4,
  ayiya: 5,
  /** GRE-in-UDP (RFC 8086). */
  gre: 6,
} as const;
export type UdpTunnelName = Exclude<keyof typeof UdpTunnel, 'none'>;
export const UDP_TUNNEL_NAMES: readonly UdpTunnelName[] = ['vxlan', 'geneve', 'gtp', 'teredo', 'ayiya', 'gre'];

/**
 * The ports each UDP-borne tunnel is opened on by default (IANA registrations, and Linux's VXLAN
 * port 8472, the kernel's default before IANA assigned 4789).
 */
export const DEFAULT_TUNNEL_PORTS: Readonly<Record<UdpTunnelName, readonly number[]>> = {
  vxlan: [4789, 8472], // RFC 7348 §5; Linux vxlan dstport default
  geneve: [6081], // RFC 8926 §3.3
  gtp: [2152], // 3GPP TS 29.281 §4.4.2.3
  teredo: [3544], // RFC 4380 §4
  ayiya: [5072], // draft-massar-v6ops-ayiya, IANA "ayiya"
  gre: [4754], // RFC 8086 §3
};

/** The run's decapsulation settings. */
export interface DecapConfig {
  /** Open tunnels at all (false: tunnelled packets are skipped as 'tunnel' or 'non_tcp', as before). */
  readonly enabled: boolean;
  /** UDP port → UdpTunnel value; a datagram is opened when its destination port, else its source port, is here. */
  readonly udpPorts: Uint8Array;
  /** Open Teredo on any UDP port by its shape and addresses (see teredo.ts). */
  readonly teredoAnyPort: boolean;
}

/** Settings as a user gives them: extra ports per tunnel kind, or decapsulation off. */
export interface DecapOptions {
  /** Default true. */
  enabled?: boolean;
  /** Ports opened in addition to the defaults, per kind. */
  ports?: Partial<Record<UdpTunnelName, readonly number[]>>;
  /** Default ports not to open (a port given here is left alone, whatever kind it defaults to). */
  ignorePorts?: readonly number[];
  /** Recognise Teredo on any UDP port by its shape (default true; see teredo.ts). */
  teredoAnyPort?: boolean;
}

export function decapConfig(options: DecapOptions = {}): DecapConfig {
  const udpPorts = new Uint8Array(65536);
  for (const name of UDP_TUNNEL_NAMES) for (const p of DEFAULT_TUNNEL_PORTS[name]) udpPorts[p] = UdpTunnel[name];
  for (const p of options.ignorePorts ?? []) udpPorts[p] = UdpTunnel.none;
  for (const name of UDP_TUNNEL_NAMES) for (const p of options.ports?.[name] ?? []) udpPorts[p] = UdpTunnel[name];
  return { enabled: options.enabled !== false, udpPorts, teredoAnyPort: options.teredoAnyPort !== false };
}

/** The default settings (shared; never modified). */
export const DEFAULT_DECAP: DecapConfig = decapConfig();

/**
 * Things seen while decoding that deserve a warning, counted per capture file: UDP traffic that
 * looks like a tunnel on a port tcpshake does not open, GRE carrying a protocol it does not know,
 * IP headers claiming more bytes than the frame had on the wire. The run turns them into capture
 * warnings at the end (see `decodeNoteMessages`). Keys are numbers, never strings built per packet.
 */
export class DecodeNotes {
  /** Per file: note key → [frames, first frame, its byte offset in the file]. */
  private readonly files: Map<number, [number, number, number]>[] = [];

  /**
   * Counts `frames` frames (1 by default) under `key` for file `fileIndex`; `frame` is the first of
   * them, at byte offset `offset` of the file.
   */
  note(fileIndex: number, key: number, frame: number, offset: number, frames = 1): void {
    let m = this.files[fileIndex];
    if (m === undefined) m = this.files[fileIndex] = new Map();
    const v = m.get(key);
    if (v === undefined) m.set(key, [frames, frame, offset]);
    else {
      v[0] += frames;
      if (frame < v[1]) {
        v[1] = frame;
        v[2] = offset;
      }
    }
  }

  /** The notes of one file, in key order. */
  of(fileIndex: number): { key: number; frames: number; firstFrame: number; offset: number }[] {
    const m = this.files[fileIndex];
    if (m === undefined) return [];
    return [...m.entries()].sort((x, y) => x[0] - y[0]).map(([key, [frames, firstFrame, offset]]) => ({ key, frames, firstFrame, offset }));
  }
}

/** Note kinds (the high bits of a note key; the low 16 bits hold a port or a protocol number). */
export const NoteKind = {
  /** UDP payload that looks like UdpTunnel `x` on a port not opened for it: key = (UNOPENED_UDP + x) << 16 | port. */
  unopenedUdp: 0x10,
  /** GRE with a protocol type tcpshake does not open: key = unknownGre << 16 | protocol type. */
  unknownGre: 0x20,
  /** GRE with routing present (RFC 1701) or a version other than 0 and 1: key = greUnsupported << 16 | version. */
  greUnsupported: 0x21,
  /** IPv4 total length beyond the end of the frame on the wire: key = ipLengthBeyondFrame << 16. */
  ipLengthBeyondFrame: 0x30,
  /** Tunnels nested deeper than MAX_TUNNEL_DEPTH. */
  tooDeep: 0x31,
  /** Fragments overlapping with different bytes (see reassembly.ts): key = fragmentOverlap << 16 | IP version. */
  fragmentOverlap: 0x40,
  /** Fragments whose datagram was never completed before the reassembly timeout or the end of input. */
  fragmentIncomplete: 0x41,
  /** Fragments dropped because reassembly was holding its limit of bytes. */
  fragmentOverLimit: 0x42,
} as const;

export function noteKey(kind: number, low: number): number {
  return kind * 0x10000 + (low & 0xffff);
}

/** The warning text of a note (see DecodeNotes), for a warning placed at the first frame noted. */
export function decodeNoteMessage(key: number, frames: number): string {
  const kind = Math.floor(key / 0x10000);
  const low = key & 0xffff;
  const n = frames === 1 ? 'this frame' : `${frames} frames (from this one)`;
  const look = frames === 1 ? 'looks' : 'look';
  const have = frames === 1 ? 'has' : 'have';
  if (kind > NoteKind.unopenedUdp && kind <= NoteKind.unopenedUdp + UDP_TUNNEL_NAMES.length) {
    const name = UDP_TUNNEL_NAMES[kind - NoteKind.unopenedUdp - 1]!;
    return `${n} to UDP port ${low} ${look} like ${TUNNEL_TITLES[name]}, which tcpshake opens only on port${DEFAULT_TUNNEL_PORTS[name].length > 1 ? 's' : ''} ${DEFAULT_TUNNEL_PORTS[name].join(', ')}: TCP inside them is not analysed (--tunnel-port ${name}=${low} opens them)`;
  }
  switch (kind) {
    case NoteKind.unknownGre:
      return `${n}: GRE carrying protocol type 0x${low.toString(16).padStart(4, '0')}, which tcpshake does not open: TCP inside them is not analysed`;
    case NoteKind.greUnsupported:
      return `${n}: GRE using ${low === 0xffff ? 'source routing (RFC 1701)' : `version ${low}`}, which tcpshake does not open`;
    case NoteKind.ipLengthBeyondFrame:
      return `${n} ${have} an IP length beyond the end of the frame as it was on the wire: only the bytes on the wire are taken as the packet (no payload is assumed past them)`;
    case NoteKind.tooDeep:
      return `${n}: tunnels nested more than ${MAX_TUNNEL_DEPTH} deep, not opened past that depth`;
    case NoteKind.fragmentOverlap:
      return `${n}: IPv${low} fragments overlapping earlier ones with different bytes (fragment_overlap): their datagrams were dropped, as RFC 5722 asks`;
    case NoteKind.fragmentIncomplete:
      return `${n}: IPv${low} fragments of datagrams never completed (missing fragments, or the 30 s reassembly time ran out)`;
    case NoteKind.fragmentOverLimit:
      return `${n}: IPv${low} fragments dropped because reassembly already held its limit of incomplete datagrams`;
    default:
      return `${n}: decoding note 0x${key.toString(16)}`;
  }
}

const TUNNEL_TITLES: Readonly<Record<UdpTunnelName, string>> = {
  vxlan: 'VXLAN',
  geneve: 'GENEVE',
  gtp: 'GTP-U',
  teredo: 'Teredo',
  ayiya: 'AYIYA',
  gre: 'GRE-in-UDP',
};

/**
 * Records an opened tunnel in `out` (outermost first). Returns false when the frame already holds
 * MAX_TUNNEL_DEPTH of them: the caller then skips the frame as 'tunnel'.
 *
 * Checksum verdicts packed by the reading thread (Segment.knownChecksums) are dropped: that thread
 * decodes with the default settings, which may open another tunnel here than this run's settings do;
 * a tunnelled frame's checksums are summed by the decoders themselves.
 */
export function pushTunnel(
  out: {
    tunnelDepth: number;
    tunnels: TunnelLayer[];
    knownChecksums: number;
  },
  kind: number,
  id: number,
  detail: number,
  addrLength: number,
  srcOffset: number,
  dstOffset: number,
  srcPort: number,
  dstPort: number,
): boolean {
  const d = out.tunnelDepth;
  if (d >= MAX_TUNNEL_DEPTH) return false;
  const t = out.tunnels[d]!;
  t.kind = kind;
  t.id = id;
  t.detail = detail;
  t.addrLength = addrLength;
  t.srcOffset = srcOffset;
  t.dstOffset = dstOffset;
  t.srcPort = srcPort;
  t.dstPort = dstPort;
  out.tunnelDepth = d + 1;
  out.knownChecksums = 0; // CHECKSUMS_UNKNOWN (segment.ts imports this module)
  return true;
}
