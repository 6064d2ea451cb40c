/**
 * Transfer facts of one direction of a connection, as tcptrace and Wireshark's expert info give them:
 * duplicate ACKs, zero-window episodes and probes, retransmitted bytes, out-of-order segments and
 * round-trip times of the data an endpoint sent. The connection tracker calls {@link transferSegment}
 * for every segment an endpoint sends (before it updates that endpoint's snd.nxt, last ACK and
 * window), and {@link countRetransmitted} / {@link countOutOfOrder} where its sequence-space rules
 * decide those. Everything is counted from what the capture shows at its capture point.
 *
 * A TransferTrack is made for an endpoint at its first segment that is neither SYN nor RST: a SYN
 * scan's trackers carry none. Its memory is fixed: a few numbers, and 48 16-bit RTT histogram bins
 * once the first RTT sample is taken.
 */
import type { Segment } from '../decode/segment.js';
import { TcpFlag } from '../decode/segment.js';
import type { DirectionStats } from '../model/report.js';
import { defineBitFlags, defineDoubleSlots } from '../util/packed-fields.js';
import { Mark } from './record.js';
import { seqAdd, seqGe, seqGt, seqLt } from './seq.js';

const SYN = TcpFlag.SYN;
const ACK = TcpFlag.ACK;
const FIN = TcpFlag.FIN;
const RST = TcpFlag.RST;

/**
 * RTT samples: the first EXACT_SAMPLES are kept as they are (the median of that many is exact); from
 * the next one on they go into a histogram of bins of 1/8 decade from 10 µs to 10 s (samples outside
 * go to the end bins; min and max are kept exactly). The median is then the geometric middle of its
 * bin, within a factor 10^(1/16) ≈ 1.155 of the exact median of the samples.
 */
const EXACT_SAMPLES = 4;
const RTT_BIN_LOW = 1e-5;
const RTT_BINS_PER_DECADE = 8;
export const RTT_BINS = 48;
/** A bin full at 65535: every bin is halved, which keeps the median's bin (counts are proportions). */
const RTT_BIN_MAX = 0xffff;

/** The EndpointTrack members the rules here read (the tracker's view of one end). */
export interface TransferEndpoint {
  readonly sndKnown: boolean;
  /** Next sequence number after what it sent (as the capture saw it). */
  readonly sndNxt: number;
  readonly ackKnown: boolean;
  /** Highest acknowledgment it sent. */
  readonly lastAck: number;
  /** Last advertised window (raw) and whether it came on a SYN. */
  readonly window: number;
  readonly windowOnSyn: boolean;
  transfer: TransferTrack | null;
}

/** What one endpoint's segments showed of the transfer (see the module comment). */
export class TransferTrack {
  /** Yes/no facts, one bit each (see the defineBitFlags call after the class). */
  bits = 0;
  /** Numbers V8 would box (sequence numbers, times), unboxed (see TRANSFER_DOUBLES). */
  doubles: number[] = TRANSFER_DOUBLES.fresh();
  /** Duplicate ACKs it sent (RFC 5681 §2). */
  dupAcks = 0;
  /** Its segments that filled a gap the capture had seen in its stream (not seen before: not retransmissions). */
  outOfOrder = 0;
  /** Episodes of a zero window it advertised. */
  zeroWindows = 0;
  /** Zero-window probes it sent into its peer's shut window. */
  zeroWindowProbes = 0;
  /** RTT samples of its data (time from a data segment to the peer's ACK covering it, at the capture point). */
  rttSamples = 0;
  /** RTT histogram (RTT_BINS bins), made at the first sample. */
  rttBins: Uint16Array | null = null;

  /** A data segment of its is being timed (ends at rttEnd, seen at rttStart). */
  declare timing: boolean;
  /** Its window is shut (zero since zeroWindowSince). */
  declare windowShut: boolean;
  declare rttEnd: number;
  declare rttStart: number;
  declare rttMin: number;
  declare rttMax: number;
  declare zeroWindowSince: number;
  /** Seconds its window stayed shut, over the episodes that ended. */
  declare zeroWindowSeconds: number;
  /** Payload bytes it sent again (below snd.nxt). */
  declare retransmittedBytes: number;
  /** The first EXACT_SAMPLES RTT samples. */
  declare rtt0: number;
  declare rtt1: number;
  declare rtt2: number;
  declare rtt3: number;
}

const TRANSFER_DOUBLE_MEMBERS = {
  rttEnd: 0,
  rttStart: 0,
  rttMin: Infinity,
  rttMax: 0,
  zeroWindowSince: 0,
  zeroWindowSeconds: 0,
  retransmittedBytes: 0,
  rtt0: 0,
  rtt1: 0,
  rtt2: 0,
  rtt3: 0,
};
const TRANSFER_DOUBLES = defineDoubleSlots(TransferTrack, TRANSFER_DOUBLE_MEMBERS);
/** The doubles slot of the first exact RTT sample (rtt0); rtt1..rtt3 follow it. */
const RTT0_SLOT = Object.keys(TRANSFER_DOUBLE_MEMBERS).indexOf('rtt0');
defineBitFlags(TransferTrack, ['timing', 'windowShut']);

/** The endpoint's TransferTrack, made when first needed. */
function trackOf(e: TransferEndpoint): TransferTrack {
  return e.transfer ?? (e.transfer = new TransferTrack());
}

/**
 * One segment S sent, at capture time t, seen before the tracker updates S's snd.nxt, last ACK and
 * window. Returns the Mark bits it earned (dup_ack, zero_window, zero_window_probe). Not called for a
 * frame taken as a capture duplicate.
 */
export function transferSegment(seg: Segment, t: number, S: TransferEndpoint, R: TransferEndpoint): number {
  const flags = seg.flags;
  if ((flags & (SYN | RST)) !== 0) return 0;
  const st = trackOf(S);
  const len = seg.payloadLength;
  let marks = 0;

  // RTT of the peer's data: this ACK covers the segment being timed.
  const rt = R.transfer;
  if (rt !== null && rt.timing && (flags & ACK) !== 0 && seqGe(seg.ack, rt.rttEnd)) {
    rt.timing = false;
    addRtt(rt, t - rt.rttStart);
  }

  // Zero-window probe (RFC 9293 §3.8.6.1): while the peer's window is shut, a segment of at most one
  // byte at snd.nxt − 1 or una − 1 (Linux: tcp_xmit_probe_skb), or one new byte at snd.nxt (the
  // form Wireshark names). Not a keep-alive, though the first form looks like one.
  if (
    rt !== null &&
    rt.windowShut &&
    len <= 1 &&
    (flags & FIN) === 0 &&
    S.sndKnown &&
    (seg.seq === seqAdd(S.sndNxt, -1) || (R.ackKnown && seg.seq === seqAdd(R.lastAck, -1)) || (len === 1 && seg.seq === S.sndNxt))
  ) {
    st.zeroWindowProbes++;
    marks |= Mark.zero_window_probe;
  } else if (len > 0) {
    if (st.timing) {
      // Karn's rule (RFC 6298 §3): data at or below the timed segment sent again (or arriving late)
      // makes the ACK covering it ambiguous: no sample.
      if (seqLt(seg.seq, st.rttEnd)) st.timing = false;
    } else if (S.sndKnown && seqGe(seg.seq, S.sndNxt)) {
      // New data, timed until the ACK covering it (one segment at a time, as RFC 6298 §3 allows).
      st.timing = true;
      st.rttEnd = seqAdd(seg.seq, len);
      st.rttStart = t;
    }
  }

  // Duplicate ACK (RFC 5681 §2): no data, SYN and FIN off, the same acknowledgment and window as its
  // previous ACK, and the peer has data outstanding. As Wireshark: a zero window is not counted, and
  // the segment sits at snd.nxt (a keep-alive or probe does not).
  if (
    len === 0 &&
    (flags & (FIN | ACK)) === ACK &&
    S.ackKnown &&
    seg.ack === S.lastAck &&
    seg.window === S.window &&
    !S.windowOnSyn &&
    seg.window !== 0 &&
    S.sndKnown &&
    seg.seq === S.sndNxt &&
    R.sndKnown &&
    seqGt(R.sndNxt, seg.ack)
  ) {
    st.dupAcks++;
    marks |= Mark.dup_ack;
  }

  // Its own window: shut by a zero window (as Wireshark, not on SYN, FIN or RST), open again by the
  // first segment advertising more.
  if (seg.window === 0) {
    if (!st.windowShut && (flags & FIN) === 0) {
      st.windowShut = true;
      st.zeroWindowSince = t;
      st.zeroWindows++;
      marks |= Mark.zero_window;
    }
  } else if (st.windowShut) {
    st.windowShut = false;
    st.zeroWindowSeconds += Math.max(0, t - st.zeroWindowSince);
  }
  return marks;
}

/** S sent `len` payload bytes below its snd.nxt (`sndNxt`) starting at `seq`: the overlap is sent again. */
export function countRetransmitted(S: TransferEndpoint, seq: number, len: number, sndNxt: number): void {
  const st = trackOf(S);
  const end = seqAdd(seq, len);
  const again = seqLt(end, sndNxt) ? len : (sndNxt - seq) >>> 0;
  st.retransmittedBytes += again;
}

/** S's segment filled a gap the capture had seen in its stream. */
export function countOutOfOrder(S: TransferEndpoint): void {
  trackOf(S).outOfOrder++;
}

function addRtt(st: TransferTrack, rtt: number): void {
  if (!(rtt >= 0)) return;
  const n = st.rttSamples++;
  if (rtt < st.rttMin) st.rttMin = rtt;
  if (rtt > st.rttMax) st.rttMax = rtt;
  if (n < EXACT_SAMPLES) {
    st.doubles[RTT0_SLOT + n] = rtt;
    return;
  }
  let bins = st.rttBins;
  if (bins === null) {
    // Made only for a connection with more samples than kept exactly: most have a handful.
    bins = st.rttBins = new Uint16Array(RTT_BINS);
    for (let i = 0; i < EXACT_SAMPLES; i++) bins[rttBin(st.doubles[RTT0_SLOT + i]!)]!++;
  }
  const k = rttBin(rtt);
  if (bins[k] === RTT_BIN_MAX) for (let i = 0; i < RTT_BINS; i++) bins[i] = bins[i]! >>> 1;
  bins[k]!++;
}

/** The histogram bin of an RTT (seconds). */
export function rttBin(rtt: number): number {
  if (!(rtt > RTT_BIN_LOW)) return 0;
  const k = Math.floor(RTT_BINS_PER_DECADE * Math.log10(rtt / RTT_BIN_LOW));
  return k >= RTT_BINS ? RTT_BINS - 1 : k;
}

/** The geometric middle of bin k (seconds). */
function binMiddle(k: number): number {
  return RTT_BIN_LOW * 10 ** ((k + 0.5) / RTT_BINS_PER_DECADE);
}

/**
 * The median of the samples: exact while they are kept exactly (the mean of the middle two of an even
 * count), else the middle of the histogram bin holding the lower median, kept within [min, max].
 */
function rttMedian(st: TransferTrack): number {
  const n = st.rttSamples;
  const bins = st.rttBins;
  if (bins === null) {
    // At most four samples, min and max among them: the median is the middle of the other two.
    const d = st.doubles;
    switch (n) {
      case 1:
      case 2:
        return (st.rttMin + st.rttMax) / 2;
      case 3:
        return d[RTT0_SLOT]! + d[RTT0_SLOT + 1]! + d[RTT0_SLOT + 2]! - st.rttMin - st.rttMax;
      default:
        return (d[RTT0_SLOT]! + d[RTT0_SLOT + 1]! + d[RTT0_SLOT + 2]! + d[RTT0_SLOT + 3]! - st.rttMin - st.rttMax) / 2;
    }
  }
  let total = 0;
  for (let i = 0; i < RTT_BINS; i++) total += bins[i]!;
  const rank = Math.ceil(total / 2);
  let seen = 0;
  for (let k = 0; k < RTT_BINS; k++) {
    seen += bins[k]!;
    if (seen >= rank) return Math.min(st.rttMax, Math.max(st.rttMin, binMiddle(k)));
  }
  return st.rttMax;
}

/** Seconds rounded to the nanosecond, as every interval of the report. */
function ns(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/**
 * The transfer fields of a direction's stats: `bytes` its payload bytes, `duration` the connection's
 * (seconds), `end` the capture time the report is made at (a window still shut counts up to it).
 */
/** The zeroWindow of every direction whose window never shut: one shared, frozen object. */
const NEVER_SHUT: DirectionStats['zeroWindow'] = Object.freeze({ episodes: 0, seconds: 0, shutAtEnd: false });

/**
 * A direction's stats: the counts the tracker keeps (packets, bytes, ...) and the transfer facts of
 * `tr`; `duration` is the connection's (seconds), `end` the capture time the report is made at (a
 * window still shut counts up to it).
 */
export function directionStats(
  packets: number,
  bytes: number,
  ipBytes: number,
  retransmits: number,
  wireBytes: number,
  tr: TransferTrack | null,
  duration: number,
  end: number,
): DirectionStats {
  const resent = tr === null ? 0 : tr.retransmittedBytes;
  const unique = bytes > resent ? bytes - resent : 0;
  const throughput = duration > 0 ? Math.round((unique / duration) * 1000) / 1000 : null;
  if (tr === null) {
    return { packets, bytes, ipBytes, retransmits, wireBytes, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: NEVER_SHUT, zeroWindowProbes: 0, rtt: null, throughput };
  }
  const shutFor = tr.windowShut ? Math.max(0, end - tr.zeroWindowSince) : 0;
  return {
    packets,
    bytes,
    ipBytes,
    retransmits,
    wireBytes,
    retransmittedBytes: resent,
    outOfOrder: tr.outOfOrder,
    dupAcks: tr.dupAcks,
    zeroWindow: tr.zeroWindows === 0 ? NEVER_SHUT : { episodes: tr.zeroWindows, seconds: ns(tr.zeroWindowSeconds + shutFor), shutAtEnd: tr.windowShut },
    zeroWindowProbes: tr.zeroWindowProbes,
    rtt: tr.rttSamples === 0 ? null : { samples: tr.rttSamples, min: ns(tr.rttMin), median: ns(rttMedian(tr)), max: ns(tr.rttMax) },
    throughput,
  };
}
