/**
 * Synthetic segments for the observer unit tests: a client (A side, port 40000 unless told) and a
 * server (port 9000 unless told: not a port Zeek takes for a server), sequence numbers chosen by the
 * test. `flags` is a string of F S R P A letters.
 */
import { newSegment, TcpFlag, type Segment } from '../../src/decode/segment.js';

export interface SegSpec {
  flags: string;
  seq?: number;
  ack?: number;
  len?: number;
  /** Captured payload bytes (default: all of them). */
  captured?: number;
  window?: number;
  srcPort?: number;
  dstPort?: number;
  checksumOk?: boolean | null;
  ipChecksumOk?: boolean | null;
}

export function flagsOf(text: string): number {
  let f = 0;
  for (const c of text) {
    switch (c) {
      case 'F':
        f |= TcpFlag.FIN;
        break;
      case 'S':
        f |= TcpFlag.SYN;
        break;
      case 'R':
        f |= TcpFlag.RST;
        break;
      case 'P':
        f |= TcpFlag.PSH;
        break;
      case 'A':
        f |= TcpFlag.ACK;
        break;
      default:
        throw new Error(`unknown flag letter ${c}`);
    }
  }
  return f;
}

let frameNo = 0;

export function seg(spec: SegSpec): Segment {
  const s = newSegment();
  s.frame = ++frameNo;
  s.flags = flagsOf(spec.flags);
  s.seq = (spec.seq ?? 0) >>> 0;
  s.ack = (spec.ack ?? 0) >>> 0;
  s.payloadLength = spec.len ?? 0;
  s.capturedPayload = spec.captured ?? s.payloadLength;
  s.window = spec.window ?? 65535;
  s.srcPort = spec.srcPort ?? 40000;
  s.dstPort = spec.dstPort ?? 9000;
  s.checksumOk = spec.checksumOk === undefined ? true : spec.checksumOk;
  s.ipChecksumOk = spec.ipChecksumOk === undefined ? true : spec.ipChecksumOk;
  return s;
}

/** A segment from the client (A) to the server. */
export function c(flags: string, seq: number, ack = 0, len = 0, extra: Partial<SegSpec> = {}): Segment {
  return seg({ flags, seq, ack, len, ...extra });
}

/** A segment from the server to the client (ports from the server's side: 9000 -> 40000 unless told). */
export function s(flags: string, seq: number, ack = 0, len = 0, extra: Partial<SegSpec> = {}): Segment {
  return seg({ flags, seq, ack, len, srcPort: 9000, dstPort: 40000, ...extra });
}
