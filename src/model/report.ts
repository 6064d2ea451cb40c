/**
 * The report: the public contract of `--format json` (schemaVersion 2, described in README.md).
 * Field names here are relied on by users and tests: extend, never rename.
 */
import type { CaptureFormat, CaptureWarning, SkipReason } from './capture.js';
import type { Endpoint } from './endpoint.js';

/** Part of the contract; defined beside endpointText. */
export type { Endpoint };
import type { ConnectionEvent, EventKind } from './events.js';
import type { CloseKind, EndpointState, HandshakeKind, Side, Who } from './vocabulary.js';

export const SCHEMA_VERSION = 2 as const;

export interface StateChange {
  state: EndpointState;
  frame: number;
  time: number;
  /** `observed`: driven by a segment this endpoint sent; `inferred`: by a segment of the peer's the capture saw. */
  how: 'observed' | 'inferred';
  /**
   * `timer`: no segment drove it, a timer did (TIME_WAIT ends 2×MSL after it began, RFC 9293 §3.6.1);
   * `how` is then `inferred`, `frame` the connection's last frame before it and `time` the timer's end.
   */
  cause?: 'timer';
}

export interface NegotiatedOptions {
  mss: number | null;
  windowScale: number | null;
  sackPermitted: boolean;
  timestamps: boolean;
  /** ECN negotiation as seen on the SYN/SYN-ACK: 'none' | 'ecn' (RFC 3168) | 'accecn'. */
  ecn: 'none' | 'ecn' | 'accecn';
  /** TCP Fast Open: cookie requested / cookie sent / data in SYN. */
  tfo: 'none' | 'cookie_request' | 'cookie' | 'data';
}

export interface HandshakeReport {
  kind: HandshakeKind;
  synRetransmits: number;
  synAckRetransmits: number;
  rtt: {
    /** Capture-point SYN→SYN-ACK time in seconds (first SYN of the accepted ISN to first SYN-ACK). */
    synToSynAck: number | null;
    /** Capture-point SYN-ACK→ACK time. */
    synAckToAck: number | null;
    /** Intervals between the SYN transmissions (retry backoff), seconds. */
    synBackoff: number[];
  };
  /** Where the capture was taken, from the two intervals above. */
  capturePoint: 'client_side' | 'server_side' | 'in_between' | 'unknown';
  options: { client: NegotiatedOptions | null; server: NegotiatedOptions | null };
}

export interface CloseReport {
  kind: CloseKind;
  initiator: Who | null;
  rstBy: Who | null;
  finalAckLost: boolean;
  /** The capture saw the final ACK of the last FIN. */
  finalAckSeen: boolean;
  /** Human detail, e.g. "RST by server in CLOSE_WAIT after client FIN". */
  detail?: string;
  /** RST classification per RFC 5961 §3 of the first RST that ended the connection. */
  rst?: { by: Side; frame: number; state: { client: EndpointState; server: EndpointState }; check: 'exact' | 'in_window' | 'out_of_window' | 'unknown' };
  /** New data the other side still sent after the first FIN (a half-close in use; retransmissions not counted). */
  afterFirstFin?: { segments: number; bytes: number };
}

export interface DirectionStats {
  packets: number;
  /** Payload bytes (sum of payload lengths). */
  bytes: number;
  /** IP-level bytes (Zeek's *_ip_bytes). */
  ipBytes: number;
  retransmits: number;
  /** Frame bytes as captured on the link (each frame's original length, link header included). */
  wireBytes: number;
  /** Payload bytes sent again (the part of retransmitted segments below snd.nxt). */
  retransmittedBytes: number;
  /** Segments that filled a gap the capture had seen in this side's stream (sent before, captured late). */
  outOfOrder: number;
  /** Duplicate ACKs this side sent (RFC 5681 §2, as Wireshark: not on a zero window). */
  dupAcks: number;
  /** This side's advertised window shut (zero): episodes, seconds shut in all, still shut at the end. */
  zeroWindow: { episodes: number; seconds: number; shutAtEnd: boolean };
  /** Probes of the peer's zero window this side sent (RFC 9293 §3.8.6.1; not keep-alives). */
  zeroWindowProbes: number;
  /**
   * Round-trip times of this side's data at the capture point: a new data segment (one at a time) to
   * the peer's ACK covering it, no sample across a retransmission (Karn's rule). The median is read
   * from a histogram of 1/8-decade bins (within a factor 1.155 of the exact one; exact for ≤ 2
   * samples). Null without a sample.
   */
  rtt: { samples: number; min: number; median: number; max: number } | null;
  /** New payload bytes (bytes − retransmittedBytes) per second of the connection's duration; null when it lasted 0 s. */
  throughput: number | null;
}

/** The connection as a Zeek conn.log row would show it (see docs/agreement.md). */
export interface ZeekView {
  /** Zeek's `conn_state`. */
  connState: string;
  /** Zeek's `history`: upper case for the originator, lower case for the responder. */
  history: string;
  /**
   * Which end Zeek takes as the originator (`id.orig_h`): the client, except where Zeek decides
   * otherwise (a connection that starts without a SYN from a likely server port, a SYN-ACK first).
   */
  orig: 'client' | 'server';
  /** Zeek's `orig_bytes` / `resp_bytes`: payload bytes from the sequence numbers (gaps included, retransmissions not). */
  origBytes: number;
  respBytes: number;
}

export interface ConnectionReport {
  id: number;
  client: Endpoint;
  server: Endpoint;
  /**
   * `earlier_connection`: the capture saw no SYN or SYN-ACK of this connection, and its 4-tuple's
   * previous connection (whose SYN was seen) gives the roles.
   */
  roles: { decidedBy: 'syn' | 'syn_ack' | 'earlier_connection' | 'well_known_port' | 'lower_port' | 'first_packet' };
  firstFrame: number;
  lastFrame: number;
  /** Index of the file holding firstFrame / lastFrame (0 when one input). */
  firstFile?: number;
  lastFile?: number;
  start: number;
  duration: number;
  handshake: HandshakeReport;
  close: CloseReport;
  finalState: { client: EndpointState; server: EndpointState };
  states: { client: StateChange[]; server: StateChange[] };
  events: ConnectionEvent[];
  stats: { client: DirectionStats; server: DirectionStats };
  zeek: ZeekView;
  completeness: number;
  /** A Wireshark display filter selecting this connection's packets. */
  displayFilter: string;
  /** Present only when the caller asked for per-segment records (ladder diagrams). */
  segments?: SegmentRecord[];
  /** Segments left out of `segments` by the maxRecordedSegments cap (the middle of the connection). */
  elidedSegments?: number;
  /** Set when the connection was expired by the idle timeout rather than closed. */
  idleExpired?: boolean;
  /**
   * The tunnels the connection's packets came through, outermost first; absent when it was not
   * tunnelled. Part of the connection's identity: the same 4-tuple in two tunnels is two connections.
   */
  encapsulation?: Encapsulation[];
  /**
   * Only in the ndjson of a sharded run (`--shard I/N`), always the last member: where this
   * connection stands in the order of a run over every shard, for `tcpshake merge`. `id` is then the
   * shard's own numbering.
   */
  shard?: ShardPlace;
}

/** The encapsulations tcpshake opens (see docs/formats.md). */
export const ENCAPSULATION_KINDS = ['vxlan', 'geneve', 'gre', 'erspan', 'ipip', 'gtp', 'teredo', 'ayiya', 'pbb'] as const;
export type EncapsulationKind = (typeof ENCAPSULATION_KINDS)[number];

/** An outer endpoint of a tunnel: its address, and its UDP port for UDP-borne tunnels. */
export interface TunnelEndpoint {
  ip: string;
  port?: number;
}

/** One tunnel a connection came through. */
export interface Encapsulation {
  kind: EncapsulationKind;
  /**
   * VXLAN / GENEVE: the 24-bit virtual network identifier, as on the client's packets (the server's
   * when the capture has none of the client's); `serverVni` when the server's packets carry another
   * (OVN, for one, uses one VNI per direction). The same goes for `key`, `sessionId` and `isid`.
   */
  vni?: number;
  serverVni?: number;
  /** GRE: the key (RFC 2890), when the header has one. */
  key?: number;
  serverKey?: number;
  /** GRE version 1 (PPTP): the call id. */
  callId?: number;
  /** GRE: the protocol type it carries, e.g. 0x0800, 0x86dd, 0x6558 (Ethernet). */
  protocol?: number;
  /** GRE carried over UDP (RFC 8086). */
  overUdp?: boolean;
  /** ERSPAN: type (1, 2 or 3) and session id (types 2 and 3). */
  erspanType?: 1 | 2 | 3;
  sessionId?: number;
  serverSessionId?: number;
  /** IP-in-IP: the protocol number, 4 (IPv4 inside) or 41 (IPv6 inside). */
  ipProtocol?: number;
  /** GTP-U: the TEID on the client's packets and on the server's (each end names its own), null when unseen. */
  teid?: { client: number | null; server: number | null };
  /** PBB (IEEE 802.1ah): the backbone service instance identifier. */
  isid?: number;
  serverIsid?: number;
  /**
   * The tunnel's outer endpoints: `client` the one on the inner client's side (the outer source of
   * the client's packets), `server` the other, each with its UDP port as the connection's first packet
   * showed it. For mirrored traffic (ERSPAN, VXLAN mirroring), where both directions travel from the
   * mirroring sensor to the collector, `client` is the sensor when the first packet was the client's.
   * Absent for PBB (no IP outside).
   */
  outer?: { client: TunnelEndpoint; server: TunnelEndpoint };
}

/** A connection's place in a whole run, as a sharded run records it (see pipeline/shard.ts). */
export interface ShardPlace {
  /** Ordinal (1-based, over the run's merged timeline of frames) of the frame that created it. */
  created: number;
  /** Ordinal of the frame at which it was reported (the number of frames + 1: at the end of input). */
  reported: number;
  /** 0: reported as the clock moved on to that frame (sweep, timers, end of input); 1: by the frame's own segment. */
  phase: 0 | 1;
}

/** One segment of a connection as a ladder diagram draws it. */
export interface SegmentRecord {
  frame: number;
  file?: number;
  time: number;
  from: Side;
  /** Flags as Wireshark prints them, e.g. "SYN, ACK". */
  flags: string;
  /** Sequence / ack numbers relative to each sender's ISN (raw when no ISN is known). */
  relSeq: number;
  relAck: number | null;
  length: number;
  /** Marks: retransmission, keepalive, out_of_window, ... */
  marks: string[];
  /**
   * States after this segment, where they changed: the last state entered on it. A segment can take a
   * side through several (FIN_WAIT_2 then TIME_WAIT); ladders take them all from `states`
   * (report/ladder-rows.ts `segmentStates`).
   */
  clientState?: EndpointState;
  serverState?: EndpointState;
}

/** A segment the tracker infers was sent but the capture did not see (drawn dashed in ladders). */
export interface UnseenSegment {
  after: number;
  from: Side;
  what: string;
}

export interface CaptureReport {
  file: string;
  format: CaptureFormat | `${CaptureFormat}+gzip`;
  /** Link type names as libpcap names them (EN10MB, LINUX_SLL2, ...). */
  linkTypes: string[];
  frames: number;
  tcpSegments: number;
  skipped: Partial<Record<SkipReason, number>>;
  firstTime: number | null;
  lastTime: number | null;
  warnings: CaptureWarning[];
  /** Set when reading stopped early on a corrupt or truncated file; the report covers the frames before. */
  error?: CaptureWarning;
  /** pcapng section/interface comments (free text from the file: renderers must escape it). */
  comments?: string[];
  /** pcapng interfaces: if_name / if_description as the file states them (free text: escape). */
  interfaces?: { name?: string; description?: string; linkType: number }[];
  /**
   * Hosts whose segments carry an offloaded TCP checksum (the pseudo-header's partial sum, Linux
   * CHECKSUM_PARTIAL: the capture was taken on the sending host before its NIC filled the checksum in),
   * with how many; most first. Such segments raise no `bad_checksum` event.
   */
  checksumOffload?: { host: string; segments: number }[];
}

export interface Summary {
  connections: number;
  handshake: Partial<Record<HandshakeKind, number>>;
  close: Partial<Record<CloseKind, number>>;
  events: Partial<Record<EventKind, number>>;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  captures: CaptureReport[];
  summary: Summary;
  connections: ConnectionReport[];
  /** Capture-wide findings (report/findings.ts); the CLI fills this in for `--format json`. */
  findings?: Finding[];
  /** Set in a sharded run (`--shard I/N`): which shard this report covers (see ConnectionReport.shard). */
  shard?: { index: number; count: number };
}

/** A capture-wide finding (computed by report/findings.ts, a pure function of the Report). */
export const FINDING_KINDS = [
  'close_wait_pileup',
  'time_wait_pileup',
  'refused_ports',
  'unanswered_syns',
  'half_open_handshakes',
  'rst_burst',
  'lost_final_acks',
  'one_direction_only',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  severity: 'info' | 'warning' | 'error';
  title: string;
  /** Short, accurate explanation for a network engineer. */
  explanation: string;
  count: number;
  /** Endpoints most involved, "ip:port" or "ip", with counts, largest first. */
  top: { endpoint: string; count: number }[];
  /** Connection ids concerned (capped). */
  connections: number[];
  /** When `count` was reached (epoch seconds), for a finding that counts what was held at once (`time_wait_pileup`). */
  at?: number;
}
