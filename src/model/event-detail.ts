/**
 * The `detail` of an event: its payload as one line of text for people. It is part of the report
 * contract (every event of `--format json` carries it, and the text, ladder and HTML reports print it),
 * so it is made here, beside the payload types, by the one function that knows every kind; programs
 * should read the typed payload fields instead.
 */
import { assertNever } from '../util/assert.js';
import { endpointText } from './endpoint.js';
import type { BothStates, ConnectionEvent, FrameRef } from './events.js';
import { ENDPOINT_STATES, type EndpointState, type Side } from './vocabulary.js';

/** Seconds rounded to the microsecond, without trailing zeros. */
function seconds(x: number): string {
  return (Math.round(x * 1e6) / 1e6).toString();
}

/** `frame N`, or `frame N of file F` (F 1-based, in the order given) when the run merges several captures. */
function frameText(ref: FrameRef): string {
  return ref.file === undefined ? `frame ${ref.frame}` : `frame ${ref.frame} of file ${ref.file + 1}`;
}

function statesText(s: BothStates): string {
  return `client ${s.client}, server ${s.server}`;
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

function bySide<T>(make: (side: Side) => T): Record<Side, T> {
  return { client: make('client'), server: make('server') };
}

// The details nearly every closed connection carries, made once rather than per event.
const FIN_TEXT = bySide((side) =>
  Object.fromEntries(ENDPOINT_STATES.map((state) => [state, [`${side} now ${state}`, `${side} now ${state} (after the RST)`]])) as Record<EndpointState, [string, string]>,
);
const HALF_CLOSE_TEXT = bySide((side) => bySide((finSide) => `${side} still sending after the ${finSide}'s FIN`));
const FINAL_ACK_TEXT = bySide((side) => `final ACK of the ${side}'s FIN`);

/** The text of an event's payload, or undefined when its kind says everything. */
export function eventDetail(e: ConnectionEvent): string | undefined {
  switch (e.kind) {
    case 'syn':
      if (e.ignoredNewIsn !== undefined) {
        const n = e.ignoredNewIsn;
        return `SYN with a new ISN ${n.isn} (was ${n.previous}) while ${n.state}: ignored by a synchronized peer (RFC 5961 §4)`;
      }
      return e.bytes !== undefined && e.bytes > 0 ? `carries ${e.bytes} bytes` : undefined;
    case 'syn_retransmit':
      return `retry ${e.retry} after ${seconds(e.interval)} s`;
    case 'syn_ack':
      return e.differentIsn === undefined ? undefined : `SYN-ACK with a different ISN ${e.differentIsn.isn} (was ${e.differentIsn.previous})`;
    case 'syn_ack_retransmit':
      return e.clientAck === undefined
        ? `retry ${e.retry}`
        : `retry ${e.retry}; the client's ACK (${frameText(e.clientAck)}) was seen, so it was lost after the capture point`;
    case 'handshake_complete':
      return e.inferred ? "inferred: the client's ACK is not in the capture, the server's segments show it arrived" : undefined;
    case 'direction_not_captured': {
      const side = e.by ?? '?';
      const peer = e.by === null ? '?' : other(e.by);
      const what: string[] = [];
      if (e.synAck) what.push('its SYN-ACK');
      if (e.bytes > 0) what.push(`${e.bytes} bytes of sequence space`);
      return (
        `no segment from the ${side} in the capture, yet the ${peer} acknowledged ${what.join(' and ')}: ` +
        `the capture saw one direction only (a one-way tap or SPAN port, asymmetric routing, or a direction filter such as tcpdump -Q); ` +
        `the ${side}'s states are inferred from the ${peer}'s segments`
      );
    }
    case 'fin_retransmit':
    case 'syn_fin':
    case 'syn_rst':
    case 'fin_without_ack':
    case 'null_flags':
      return undefined;
    case 'simultaneous_open':
      return 'both ends sent a bare SYN (RFC 9293 §3.5 figure 8)';
    case 'refused':
      return 'the SYN was answered by a RST';
    case 'unanswered':
      return `${e.syns} SYN(s), no answer`;
    case 'fin':
      return e.by === null ? undefined : FIN_TEXT[e.by][e.state][e.afterRst ? 1 : 0];
    case 'half_close':
      return e.by === null ? undefined : HALF_CLOSE_TEXT[e.by][e.afterFinOf];
    case 'close_complete':
      return FINAL_ACK_TEXT[e.finOf];
    case 'final_ack_lost': {
      const passive = e.by ?? '?';
      return e.finalAck !== null
        ? `the final ACK (${frameText(e.finalAck)}) was seen, then the ${passive} retransmitted its FIN: the ACK was lost after the capture point`
        : `the ${passive} retransmitted its FIN and no final ACK was seen`;
    }
    case 'final_ack_not_seen':
      return `the ${e.finOf}'s FIN (${frameText(e.fin)}) was never acknowledged in the capture and not retransmitted`;
    case 'rst': {
      const data = e.diagnosticBytes > 0 ? `; carries ${e.diagnosticBytes} bytes of diagnostic text (RFC 9293 §3.5.3)` : '';
      if (e.repeat) return `${e.check}; again after the connection was reset (${statesText(e.states)})${data}`;
      const inWindow = e.check === 'in_window' ? ' (RFC 5961 §3.2: a receiver implementing it answers with a challenge ACK; taken as ending the connection)' : '';
      const afterFin = e.afterFinOf !== null ? `; after the ${e.afterFinOf}'s FIN` : '';
      return `${e.check}${inWindow}; ${statesText(e.states)}${afterFin}${data}`;
    }
    case 'time_wait_reuse': {
      const ts = e.timestampAbove === null ? '' : e.timestampAbove ? '; timestamp above the old one' : '; timestamp not above the old one';
      return (
        `${endpointText(e.holder.ip, e.holder.port)} (the old connection ${e.oldConnection}'s ${e.holderSide}) held TIME_WAIT for ${seconds(e.heldFor)} s of ${e.timeWaitLimit} s; ` +
        `new ISN ${e.isn} is ${e.isnAbove ? 'above' : 'below'} the old sequence space (next was ${e.oldSndNxt})` +
        ts +
        (e.isnAbove ? ' (acceptable, RFC 6191)' : ' (RFC 6191: acceptable only through timestamps)')
      );
    }
    case 'keepalive':
      return e.bytes === 0 ? 'seq = snd.nxt − 1, no data' : 'seq = snd.nxt − 1, one byte';
    case 'midstream_start':
      return `first segment ${e.flags}: handshake not captured`;
    case 'open_at_end':
      return statesText(e.states);
    case 'idle_timeout':
      return `idle ${seconds(e.idle)} s (limit ${e.limit} s)`;
    case 'syn_ack_lost':
      switch (e.evidence) {
        case 'syn_retransmit':
          return `SYN retransmitted after the SYN-ACK at ${frameText(e.synAck)}: that SYN-ACK was lost after the capture point`;
        case 'syn_ack_retransmit':
          return 'SYN-ACK retransmitted with no ACK from the client: the SYN-ACK (or the ACK) was lost after the capture point';
        case 'timestamp_echo':
          return (
            `the first SYN-ACK seen echoes the first SYN's timestamp (TSecr ${e.tsEcr}) after ${e.synRetries} SYN ${e.synRetries === 1 ? 'retry' : 'retries'}: ` +
            'the server had answered that SYN, and the answer was lost before the capture point'
          );
        default:
          return assertNever(e, 'syn_ack_lost evidence');
      }
    case 'segment_not_captured': {
      const from = e.by ?? '?';
      switch (e.missing) {
        case 'data':
          return `${e.bytes} bytes from the ${from} acknowledged by the ${e.by === null ? '?' : other(e.by)} but not in the capture`;
        case 'hole':
          return `${e.bytes} bytes from the ${from} acknowledged but never captured`;
        case 'syn_ack':
          return `SYN-ACK not captured: the ${e.by === null ? '?' : other(e.by)} acknowledges the ${from}'s ISN + 1`;
        default:
          return assertNever(e, 'segment_not_captured');
      }
    }
    case 'data_after_rst':
      return e.bytes > 0 ? `${e.bytes} bytes after the RST` : `${e.flags} after the RST`;
    case 'syn_with_data':
      if (e.segment === 'SYN-ACK') return `${e.bytes} bytes in the SYN-ACK`;
      return e.tfoCookieBytes > 0 ? `TCP Fast Open: ${e.bytes} bytes with a ${e.tfoCookieBytes}-byte cookie` : `${e.bytes} bytes in the SYN`;
    case 'rst_out_of_window':
      return `seq ${e.seq} outside the ${e.by === null ? '?' : other(e.by)}'s window (${statesText(e.states)}); ignored by the receiver (RFC 5961 §3.2)`;
    case 'bad_checksum':
      return e.layer === 'tcp' ? 'TCP checksum wrong (segment still used)' : 'IPv4 header checksum wrong (segment still used)';
    case 'malformed_options':
      return 'option list runs past the header or has an impossible length';
    case 'reordered':
      return e.cause === 'timestamp'
        ? `timestamp ${seconds(e.earlierBy)} s earlier than the previous segment of this connection`
        : `SYN-ACK (${frameText(e.synAck)}) seen before its SYN`;
    case 'duplicate': {
      const id = e.ipId !== null ? `, IP ID ${e.ipId}` : '';
      const all = e.copies !== undefined ? `; ${e.copies} duplicate(s) from the ${e.by ?? '?'} in all` : '';
      return `${frameText(e.copy)} is the ${e.by ?? '?'}'s ${frameText(e.original)} captured again ${e.laterUs} µs later (same seq, ack, flags, window, length${id}): not used${all}`;
    }
    default:
      return assertNever(e, 'event kind');
  }
}
