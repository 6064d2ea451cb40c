/**
 * Every event the tracker reports, and the events catalogue: each EventKind with a title, a one-paragraph
 * description and whether it is an anomaly. `Record<EventKind, …>` makes a missing kind a compile error;
 * docs/events.md explains each at length (a test checks it has a section per kind).
 */
import type { Endpoint } from './endpoint.js';
import type { EndpointState, Side } from './vocabulary.js';

/** Every event the tracker reports; EVENT_CATALOGUE below describes each. */
export const EVENT_KINDS = [
  'syn',
  'syn_retransmit',
  'syn_ack',
  'syn_ack_retransmit',
  'handshake_complete',
  'simultaneous_open',
  'refused',
  'unanswered',
  'fin',
  'fin_retransmit',
  'half_close',
  'close_complete',
  'final_ack_lost',
  'final_ack_not_seen',
  'rst',
  'time_wait_reuse',
  'keepalive',
  'midstream_start',
  'open_at_end',
  'idle_timeout',
  'syn_ack_lost',
  'segment_not_captured',
  // named anomalies
  'syn_fin',
  'syn_rst',
  'fin_without_ack',
  'data_after_rst',
  'syn_with_data',
  'rst_out_of_window',
  'null_flags',
  'bad_checksum',
  'malformed_options',
  'reordered',
  'duplicate',
  'direction_not_captured',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A frame named by an event: its number in its file, and the file's index when the run has several. */
export interface FrameRef {
  frame: number;
  file?: number;
}

/** The states of both ends at the moment of an event. */
export interface BothStates {
  client: EndpointState;
  server: EndpointState;
}

/** RFC 5961 §3.2 classification of a RST's sequence number against the receiver's window. */
export type RstCheck = 'exact' | 'in_window' | 'out_of_window' | 'unknown';

/**
 * What each kind of event carries besides where and when it happened. The fields sit beside `kind`,
 * `frame`, `time` and `by` in the event (`ConnectionEvent`); `detail` renders them as text
 * (`eventDetail`, model/event-detail.ts). A kind missing here is a compile error.
 */
export interface EventPayloads {
  /** `bytes`: payload carried by the SYN. `ignoredNewIsn`: a SYN with a new ISN while synchronized (RFC 5961 §4). */
  syn: { bytes?: number; ignoredNewIsn?: { isn: number; previous: number; state: EndpointState } };
  /** `retry`: 1 for the first retransmission; `interval`: seconds since the previous SYN. */
  syn_retransmit: { retry: number; interval: number };
  /** `differentIsn`: a SYN-ACK whose ISN differs from the one the server first chose. */
  syn_ack: { differentIsn?: { isn: number; previous: number } };
  /** `clientAck`: the client's ACK of the SYN-ACK, seen before this retransmission (so it was lost after the capture point). */
  syn_ack_retransmit: { retry: number; clientAck?: FrameRef };
  /** `inferred`: the client's ACK is not in the capture; the server's segments show it arrived (a one-sided capture). */
  handshake_complete: { inferred?: true };
  simultaneous_open: object;
  refused: object;
  /** `syns`: SYNs sent, retransmissions included. */
  unanswered: { syns: number };
  /** `state`: the sender's state after it; `afterRst`: sent after the connection was reset. */
  fin: { state: EndpointState; afterRst: boolean };
  fin_retransmit: object;
  /** `afterFinOf`: whose FIN the sender keeps sending after. */
  half_close: { afterFinOf: Side };
  /** `finOf`: whose FIN the final ACK acknowledges. */
  close_complete: { finOf: Side };
  /** `finalAck`: the final ACK the capture saw before the FIN was retransmitted, null when none was seen. */
  final_ack_lost: { finalAck: FrameRef | null };
  /** `fin`: the last FIN, never acknowledged in the capture; `finOf`: who sent it. */
  final_ack_not_seen: { fin: FrameRef; finOf: Side };
  /**
   * `check`: RFC 5961 §3.2 classification; `states`: both ends when it arrived; `repeat`: the
   * connection was already reset; `afterFinOf`: the first FIN's sender when it came after one;
   * `diagnosticBytes`: payload carried by the RST (RFC 9293 §3.5.3).
   */
  rst: { check: RstCheck; states: BothStates; repeat: boolean; afterFinOf: Side | null; diagnosticBytes: number };
  /**
   * A new SYN on a 4-tuple whose previous connection still had an end in TIME_WAIT: that end
   * (`holder`, the old connection `oldConnection`'s `holderSide`), how long it had held TIME_WAIT of
   * its 2×MSL (`heldFor`, `timeWaitLimit`, seconds), the new ISN and whether it is above the old
   * sequence space (`oldSndNxt` was next), and whether the SYN's timestamp is above the old one
   * (null without timestamps on both): RFC 6191.
   */
  time_wait_reuse: {
    holder: Endpoint;
    holderSide: Side;
    oldConnection: number;
    heldFor: number;
    timeWaitLimit: number;
    isn: number;
    isnAbove: boolean;
    oldSndNxt: number;
    timestampAbove: boolean | null;
  };
  /** `bytes`: 0 or 1 (the garbage byte some stacks send). */
  keepalive: { bytes: number };
  /** `flags`: the first segment's flags as Wireshark prints them. */
  midstream_start: { flags: string };
  /** `states`: both ends at the end of the capture. */
  open_at_end: { states: BothStates };
  /** `idle`: seconds without a segment; `limit`: the idle timeout, seconds. */
  idle_timeout: { idle: number; limit: number };
  /**
   * Where the SYN-ACK was lost and how tcpshake knows: `after_capture` when the client retransmitted
   * its SYN after the capture saw a SYN-ACK (`synAck`) or the SYN-ACK was retransmitted unacknowledged;
   * `before_capture` when the first SYN-ACK seen echoes the first SYN's timestamp (`tsEcr`) after
   * `synRetries` retries.
   */
  syn_ack_lost:
    | { lost: 'after_capture'; evidence: 'syn_retransmit'; synAck: FrameRef }
    | { lost: 'after_capture'; evidence: 'syn_ack_retransmit' }
    | { lost: 'before_capture'; evidence: 'timestamp_echo'; tsEcr: number; synRetries: number };
  /**
   * What the capture missed: `bytes` of data acknowledged beyond what it saw (`data`), a hole in the
   * sequence space later acknowledged (`hole`), or the SYN-ACK (`syn_ack`, inferred from the client's ACK).
   */
  segment_not_captured: { missing: 'data'; bytes: number } | { missing: 'hole'; bytes: number } | { missing: 'syn_ack' };
  syn_fin: object;
  syn_rst: object;
  fin_without_ack: object;
  /** `bytes`: payload of the segment; `flags`: its flags as Wireshark prints them. */
  data_after_rst: { bytes: number; flags: string };
  /** `segment`: which segment carried the data; `tfoCookieBytes`: the TCP Fast Open cookie's length (0 without one). */
  syn_with_data: { segment: 'SYN' | 'SYN-ACK'; bytes: number; tfoCookieBytes: number };
  /** `seq`: the RST's sequence number; `states`: both ends when it arrived. */
  rst_out_of_window: { seq: number; states: BothStates };
  null_flags: object;
  /** `layer`: which checksum is wrong. */
  bad_checksum: { layer: 'tcp' | 'ipv4' };
  malformed_options: object;
  /** A segment earlier than the previous one by `earlierBy` seconds, or a SYN-ACK (`synAck`) seen before its SYN. */
  reordered: { cause: 'timestamp'; earlierBy: number } | { cause: 'syn_ack_before_syn'; synAck: FrameRef };
  /**
   * `copy` repeats `original` `laterUs` microseconds later (`ipId`: the IPv4 ID both carry, null for
   * IPv6); `copies`: the duplicates from this side in all (set at the end of the connection).
   */
  duplicate: { copy: FrameRef; original: FrameRef; laterUs: number; ipId: number | null; copies?: number };
  /**
   * None of the sender's segments is in the capture, yet the peer acknowledged its SYN-ACK
   * (`synAck`, the client acknowledging it) and/or `bytes` of its sequence space.
   */
  direction_not_captured: { synAck: boolean; bytes: number };
}

/** What every event has, whatever its kind. */
export interface EventBase {
  /** Wireshark frame number (per file) of the segment that showed it. */
  frame: number;
  /** Index of the file among the run's inputs, when the run has several. */
  file?: number;
  time: number;
  /** Which endpoint sent the segment (or, for inferred events, whose behaviour it is). */
  by: Side | null;
  /** The payload as text for people (`eventDetail`); absent when the kind says it all. */
  detail?: string;
}

/** One event of a connection: a discriminated union on `kind`, each kind with its payload fields. */
export type ConnectionEvent = { [K in EventKind]: { kind: K } & EventBase & EventPayloads[K] }[EventKind];
/** The event of one kind. */
export type EventOf<K extends EventKind> = Extract<ConnectionEvent, { kind: K }>;
/** The payload fields of one kind (what the tracker stores and the report spreads into the event). */
export type EventPayload<K extends EventKind> = EventPayloads[K];

/** When in a connection's life an event happens; `any` for odd segments and capture artefacts. */
export type EventPhase = 'handshake' | 'transfer' | 'close' | 'any';

/**
 * How much an event says about its connection, from least to most:
 * - `routine`: a milestone of every ordinary connection (SYN, FIN, ...): one-line summaries leave it out;
 * - `info`: ordinary, but not in every connection (keep-alives, a half-close, a capture starting mid-way);
 * - `notice`: the connection went a way worth a look (refused, reset, unanswered, idle);
 * - `warning`: a sign of trouble — a retransmission of a control segment, a loss, an anomaly: such a
 *   connection is worth a ladder diagram even past the first ones.
 */
export const EVENT_SEVERITIES = ['routine', 'info', 'notice', 'warning'] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];

/**
 * How a ladder diagram shows an event: `arrow` when the segment's own arrow says it (a SYN, a
 * retransmission mark), `unseen` as a dashed arrow for a segment the capture did not see, `note` as a
 * line of text under the segment that showed it.
 */
export type LadderShape = 'arrow' | 'unseen' | 'note';

/**
 * What tcpshake knows of each event kind. The flags decide every grouping renderers and checks make
 * (routine, anomalous, drawn, ...), so a new kind is one entry here, and the compiler asks for it.
 */
export interface EventInfo {
  title: string;
  description: string;
  phase: EventPhase;
  severity: EventSeverity;
  /** Something a healthy TCP exchange does not show (scans, middlebox damage, capture problems); always a `warning`. */
  anomaly: boolean;
  /**
   * An anomaly the check policy `no_anomalies` fails on: the odd segments. Losses have policies of
   * their own (no_final_ack_lost) and a segment the capture missed or reordered is about the capture.
   */
  policyAnomaly: boolean;
  /** The handshake or close kind already says it (midstream_start: not_captured): tables leave it out. */
  impliedByKind: boolean;
  onLadder: LadderShape;
}

export const EVENT_CATALOGUE: Record<EventKind, EventInfo> = {
  syn: {
    title: 'SYN',
    description: 'An endpoint sent a SYN: an active open (RFC 9293 §3.5), entering SYN_SENT.',
    phase: 'handshake',
    severity: 'routine',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  syn_retransmit: {
    title: 'SYN retransmitted',
    description: 'The same SYN (same ISN) was sent again because no SYN-ACK arrived; the detail gives the retry number and the interval (exponential backoff).',
    phase: 'handshake',
    severity: 'warning',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  syn_ack: {
    title: 'SYN-ACK',
    description: 'The server acknowledged the SYN with its own SYN (LISTEN → SYN_RECEIVED).',
    phase: 'handshake',
    severity: 'routine',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  syn_ack_retransmit: {
    title: 'SYN-ACK retransmitted',
    description: "The server sent its SYN-ACK again (same ISN): it did not get the client's ACK in time, or answered a retransmitted SYN.",
    phase: 'handshake',
    severity: 'warning',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  handshake_complete: {
    title: 'Handshake complete',
    description: "The client acknowledged the server's SYN: both ends are ESTABLISHED.",
    phase: 'handshake',
    severity: 'routine',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  simultaneous_open: {
    title: 'Simultaneous open',
    description: 'Both ends sent a bare SYN to each other (RFC 9293 §3.5 figure 8); each passes SYN_RECEIVED.',
    phase: 'handshake',
    severity: 'notice',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  refused: {
    title: 'Connection refused',
    description: 'The SYN was answered by a RST acknowledging it: nothing listens on that port (or a firewall rejects).',
    phase: 'handshake',
    severity: 'notice',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  unanswered: {
    title: 'SYN unanswered',
    description: 'SYN(s) with no answer in the capture: a filtering firewall, a dead host, or a capture that missed the reply.',
    phase: 'handshake',
    severity: 'notice',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  fin: {
    title: 'FIN',
    description: 'An endpoint closed its sending direction.',
    phase: 'close',
    severity: 'routine',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  fin_retransmit: {
    title: 'FIN retransmitted',
    description: 'The same FIN (same sequence number) was sent again because its ACK did not arrive.',
    phase: 'close',
    severity: 'warning',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  half_close: {
    title: 'Half-close in use',
    description: 'After one side sent FIN, the other kept sending data: a half-closed connection (RFC 9293 §3.6).',
    phase: 'close',
    severity: 'info',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: true,
    onLadder: 'note',
  },
  close_complete: {
    title: 'Close complete',
    description: 'The last FIN was acknowledged: the passive closer is CLOSED, the active closer in TIME_WAIT.',
    phase: 'close',
    severity: 'routine',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  final_ack_lost: {
    title: 'Final ACK lost',
    description: "The passive closer retransmitted its FIN: the final ACK did not reach it (if the capture saw that ACK, it was lost after the capture point).",
    phase: 'close',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  final_ack_not_seen: {
    title: 'Final ACK not seen',
    description: 'The last FIN was never acknowledged in the capture, and the passive closer did not retransmit it within the capture.',
    phase: 'close',
    severity: 'warning',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  rst: {
    title: 'RST',
    description: 'An endpoint reset the connection; the detail gives the RFC 5961 classification and the states of both ends.',
    phase: 'close',
    severity: 'notice',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  time_wait_reuse: {
    title: 'TIME_WAIT reuse',
    description: 'A new SYN reused the 4-tuple while one end of the previous connection was still in TIME_WAIT; the detail says whether the ISN was above the old sequence space (RFC 6191).',
    phase: 'handshake',
    severity: 'warning',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  keepalive: {
    title: 'Keep-alive',
    description: 'A keep-alive probe: sequence number one below the next one, with 0 or 1 byte (RFC 9293 §3.8.4).',
    phase: 'transfer',
    severity: 'info',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'arrow',
  },
  midstream_start: {
    title: 'Capture starts mid-connection',
    description: 'The first segment seen was not part of a handshake: both ends are assumed ESTABLISHED.',
    phase: 'handshake',
    severity: 'info',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: true,
    onLadder: 'note',
  },
  open_at_end: {
    title: 'Open at end of capture',
    description: 'The capture ended with this connection still open (or half-closed) at one end at least.',
    phase: 'close',
    severity: 'info',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: true,
    onLadder: 'note',
  },
  idle_timeout: {
    title: 'Idle timeout',
    description: 'The connection was idle longer than the idle timeout of capture time and was reported as expired.',
    phase: 'close',
    severity: 'notice',
    anomaly: false,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  syn_ack_lost: {
    title: 'SYN-ACK lost',
    description:
      'A SYN-ACK did not arrive: the client retransmitted its SYN after the capture saw a SYN-ACK, or the SYN-ACK was retransmitted unacknowledged (lost after the capture point); or the first SYN-ACK seen echoes the first SYN\'s timestamp after the client retried (lost before the capture point).',
    phase: 'handshake',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  segment_not_captured: {
    title: 'Segment not captured',
    description: 'The peer acknowledged bytes (or a SYN-ACK) the capture never saw: lost by the capture, not by the network.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'unseen',
  },
  syn_fin: {
    title: 'SYN+FIN',
    description: 'SYN and FIN set together: never sent by a real stack; a scan or a crafted packet.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  syn_rst: {
    title: 'SYN+RST',
    description: 'SYN and RST set together: never sent by a real stack; a scan or a crafted packet.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  fin_without_ack: {
    title: 'FIN without ACK',
    description: 'A FIN without the ACK bit: every segment after the SYN carries ACK (RFC 9293 §3.10.7.4); a FIN scan.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  data_after_rst: {
    title: 'Segments after RST',
    description: 'An endpoint kept sending after the connection was reset (in-flight segments, or a peer that ignored the RST).',
    phase: 'close',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  syn_with_data: {
    title: 'SYN with data',
    description: 'A SYN carrying payload: TCP Fast Open (RFC 7413) when it has a cookie, otherwise unusual.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  rst_out_of_window: {
    title: 'RST out of window',
    description: "A RST whose sequence number is outside the receiver's window: RFC 5961 §3.2 says it is dropped, so it does not close the connection.",
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  null_flags: {
    title: 'No flags',
    description: 'A segment with no flags at all: a NULL scan.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  bad_checksum: {
    title: 'Bad checksum',
    description: 'The TCP or IPv4 checksum is wrong (often checksum offload on the capturing host); noted once per direction, the segment is still used.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  malformed_options: {
    title: 'Malformed TCP options',
    description: 'The TCP option list runs past the header or has an impossible length.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  reordered: {
    title: 'Reordered in capture',
    description: "A segment timestamped earlier than the connection's previous one, or a SYN-ACK seen before its SYN.",
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
  duplicate: {
    title: 'Captured twice',
    description: 'The same segment captured twice (same sequence, acknowledgment, flags, window, length and IPv4 ID, within 1 ms): seen on two interfaces or duplicated by the capture; noted once per direction with a count, the copy is counted in the statistics but not used.',
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    policyAnomaly: true,
    impliedByKind: false,
    onLadder: 'note',
  },
  direction_not_captured: {
    title: 'Direction not captured',
    description:
      "No segment from this endpoint is in the capture, yet its peer acknowledged what it sent: the capture saw one direction only (a one-way tap or SPAN port, asymmetric routing, a direction filter). Its states are inferred from the peer's segments; noted once per connection at its end.",
    phase: 'any',
    severity: 'warning',
    anomaly: true,
    // About the capture, not the connection (as segment_not_captured).
    policyAnomaly: false,
    impliedByKind: false,
    onLadder: 'note',
  },
};
