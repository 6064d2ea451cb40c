/**
 * Wireshark's `tcp.completeness` bitmask for one connection, as tshark 4.0 reports it for a
 * `tcp.stream` (two-pass, `-2`): 1 SYN, 2 SYN-ACK, 4 ACK, 8 DATA, 16 FIN, 32 RST.
 *
 * What sets each bit was measured against tshark 4.0.17 itself, one crafted segment sequence at a
 * time (the corpus agreement test and the unit tests pin every rule below):
 * - 1 SYN: a SYN without ACK; 2 SYN-ACK: a SYN with ACK (which does not also count as ACK);
 * - 4 ACK: a segment with ACK, without SYN, carrying no payload (a FIN+ACK or RST+ACK counts);
 * - 8 DATA: a segment with ACK, without SYN, carrying payload (payload length from the IP header),
 *   or payload on the SYN that opens the stream (TCP Fast Open, RFC 7413); a segment without the ACK
 *   flag never counts as data, nor does payload on a SYN-ACK or on a repeated SYN;
 * - 16 FIN: FIN together with ACK (a bare FIN does not count);
 * - 32 RST: any RST.
 *
 * tshark shows on each packet of a stream the stream's final value, except on the first packet when
 * that is not a bare SYN: there the first packet's own bits are missing. A stream of one packet
 * therefore reads 0 unless that packet is a SYN without ACK (which reads SYN, plus DATA if it carries
 * payload). `value()` returns exactly what tshark reports for the stream.
 */
import { TcpFlag, type Segment } from '../decode/segment.js';

export const Completeness = {
  SYN: 1,
  SYN_ACK: 2,
  ACK: 4,
  DATA: 8,
  FIN: 16,
  RST: 32,
} as const;

export class CompletenessObserver {
  /** OR of every segment's bits. */
  private bits = 0;
  /** What tshark shows on the first packet of its own (bits that first packet carries itself). */
  private firstOwn = 0;
  private segments = 0;

  onSegment(seg: Segment, _fromA: boolean): void {
    const f = seg.flags;
    const syn = (f & TcpFlag.SYN) !== 0;
    const ack = (f & TcpFlag.ACK) !== 0;
    let b = 0;
    if (syn) b |= ack ? Completeness.SYN_ACK : Completeness.SYN;
    if ((f & TcpFlag.RST) !== 0) b |= Completeness.RST;
    if (ack && (f & TcpFlag.FIN) !== 0) b |= Completeness.FIN;
    if (ack && !syn) b |= seg.payloadLength > 0 ? Completeness.DATA : Completeness.ACK;
    if (syn && !ack && seg.payloadLength > 0 && this.segments === 0) b |= Completeness.DATA;
    if (this.segments === 0) {
      this.firstOwn = syn && !ack ? b & (Completeness.SYN | Completeness.DATA) : 0;
    }
    this.bits |= b;
    this.segments++;
  }

  value(): number {
    if (this.segments >= 2) return this.bits;
    return this.firstOwn;
  }
}

/** "SYN|SYN-ACK|ACK|DATA|FIN" (Wireshark's tcp.completeness.str spelling), "-" for 0. */
export function completenessString(value: number): string {
  const parts: string[] = [];
  if (value & Completeness.SYN) parts.push('SYN');
  if (value & Completeness.SYN_ACK) parts.push('SYN-ACK');
  if (value & Completeness.ACK) parts.push('ACK');
  if (value & Completeness.DATA) parts.push('DATA');
  if (value & Completeness.FIN) parts.push('FIN');
  if (value & Completeness.RST) parts.push('RST');
  return parts.length === 0 ? '-' : parts.join('|');
}
