/**
 * What a ladder diagram shows, independent of how it is drawn (terminal or Mermaid): the segment
 * rows, segments the tracker inferred but the capture did not see, notes for events, and elided
 * stretches of plain data in the middle of long connections.
 */
import { type ConnectionEvent, EVENT_CATALOGUE } from '../model/events.js';
import type { ConnectionReport, SegmentRecord } from '../model/report.js';
import type { EndpointState, Side } from '../model/vocabulary.js';

export type LadderItem =
  /** `states`: every state each side entered on this segment, in order (see `segmentStates`). */
  | { type: 'segment'; rec: SegmentRecord; lost: boolean; states: SegmentStates }
  | { type: 'unseen'; from: Side | null; event: ConnectionEvent }
  /** A segment inferred to have been sent and lost before the capture point saw it. */
  | { type: 'lost_unseen'; from: Side; what: string }
  | { type: 'note'; event: ConnectionEvent }
  | { type: 'elided'; count: number; bytes: Record<Side, number>; segments: Record<Side, number> };

export const ELIDE_ABOVE = 40;
const KEEP_EDGE = 8;

function interesting(rec: SegmentRecord, hasEvent: boolean): boolean {
  return (
    hasEvent ||
    rec.marks.length > 0 ||
    rec.clientState !== undefined ||
    rec.serverState !== undefined ||
    /SYN|FIN|RST/.test(rec.flags)
  );
}

export function ladderItems(conn: ConnectionReport, full: boolean): LadderItem[] {
  const segs = conn.segments ?? [];
  const key = (file: number | undefined, frame: number): string => `${file ?? 0}:${frame}`;
  const byFrame = new Map<string, ConnectionEvent[]>();
  for (const e of conn.events) {
    const k = key(e.file, e.frame);
    const list = byFrame.get(k);
    if (list) list.push(e);
    else byFrame.set(k, [e]);
  }

  const { lost, lostUnseenAfter } = inferLosses(conn);
  const states = segmentStates(conn);

  const keep: boolean[] = segs.map((rec, i) => {
    if (full || segs.length <= ELIDE_ABOVE) return true;
    if (i < KEEP_EDGE || i >= segs.length - KEEP_EDGE) return true;
    return interesting(rec, byFrame.has(key(rec.file, rec.frame))) || lost.has(i) || lostUnseenAfter.has(i);
  });

  const items: LadderItem[] = [];
  const placed = new Set<ConnectionEvent>();
  let i = 0;
  while (i < segs.length) {
    if (!keep[i]) {
      let j = i;
      while (j < segs.length && !keep[j]) j++;
      if (j - i === 1) keep[i] = true; // eliding one row saves nothing
      else {
        const bytes = { client: 0, server: 0 };
        const segments = { client: 0, server: 0 };
        for (let k = i; k < j; k++) {
          bytes[segs[k]!.from] += segs[k]!.length;
          segments[segs[k]!.from]++;
        }
        items.push({ type: 'elided', count: j - i, bytes, segments });
        i = j;
        continue;
      }
    }
    const rec = segs[i]!;
    items.push({ type: 'segment', rec, lost: lost.has(i), states: states[i]! });
    const missing = lostUnseenAfter.get(i);
    if (missing) items.push(missing);
    for (const e of byFrame.get(key(rec.file, rec.frame)) ?? []) {
      placed.add(e);
      // An event the segment's own arrow says (a SYN, a retransmission mark) gets no note.
      const shape = EVENT_CATALOGUE[e.kind].onLadder;
      if (shape === 'unseen') items.push({ type: 'unseen', from: e.by, event: e });
      else if (shape === 'note') items.push({ type: 'note', event: e });
    }
    i++;
  }
  // Events at frames without a recorded segment (e.g. inferred at the end of the capture).
  for (const e of conn.events) {
    const shape = EVENT_CATALOGUE[e.kind].onLadder;
    if (placed.has(e) || shape === 'arrow') continue;
    if (segs.some((s) => s.frame === e.frame && (s.file ?? 0) === (e.file ?? 0))) continue;
    items.push(shape === 'unseen' ? { type: 'unseen', from: e.by, event: e } : { type: 'note', event: e });
  }
  return items;
}

const isPureAck = (r: SegmentRecord): boolean => r.flags === 'ACK' && r.length === 0;
const isSynAck = (r: SegmentRecord): boolean => r.from === 'server' && r.flags.includes('SYN') && r.flags.includes('ACK');
const isBareSyn = (r: SegmentRecord): boolean => r.from === 'client' && r.flags.includes('SYN') && !r.flags.includes('ACK');


/**
 * Which segments were lost: those the tracker marked so, and from its loss events:
 * - `final_ack_lost` at the passive closer's FIN retransmission: the active closer's pure ACK after
 *   the passive closer's first FIN was lost after the capture point; when the capture has no such
 *   ACK it was lost before it (drawn as a segment the capture did not see).
 * - `syn_ack_lost` lost after the capture point: the last SYN-ACK (or the client's ACK of it) before
 *   the retransmission was lost.
 * - `syn_ack_lost` lost before the capture point (at the first SYN-ACK seen, which echoes the first
 *   SYN's timestamp after the client retried): the server's answer to the first SYN never reached the
 *   capture point, so it is drawn right after that SYN, before the SYN retransmission it caused and
 *   before the first SYN-ACK the capture saw.
 */
export function inferLosses(conn: ConnectionReport): {
  lost: Set<number>;
  lostUnseenAfter: Map<number, Extract<LadderItem, { type: 'lost_unseen' }>>;
} {
  const segs = conn.segments ?? [];
  const lost = new Set<number>();
  const lostUnseenAfter = new Map<number, Extract<LadderItem, { type: 'lost_unseen' }>>();
  const indexOf = (e: ConnectionEvent): number => segs.findIndex((r) => r.frame === e.frame && (r.file ?? 0) === (e.file ?? 0));
  for (const e of conn.events) {
    if (e.kind === 'final_ack_lost' && e.by !== null) {
      const i = indexOf(e);
      if (i < 0) continue;
      const passive = e.by;
      // The passive closer's first FIN before its retransmission.
      let fin = -1;
      for (let j = i - 1; j >= 0; j--) if (segs[j]!.from === passive && segs[j]!.flags.includes('FIN')) fin = j;
      if (fin < 0) continue;
      let ack = -1;
      for (let j = fin + 1; j < i; j++) if (segs[j]!.from !== passive && isPureAck(segs[j]!)) ack = j;
      if (ack >= 0) lost.add(ack);
      else lostUnseenAfter.set(fin, { type: 'lost_unseen', from: passive === 'client' ? 'server' : 'client', what: 'final ACK' });
    } else if (e.kind === 'syn_ack_lost' && e.lost === 'before_capture') {
      // The event is at the first SYN-ACK the capture saw; the lost one answered the first SYN.
      const i = indexOf(e);
      if (i <= 0) continue;
      let after = segs.findIndex(isBareSyn);
      if (after < 0 || after >= i) after = i - 1;
      if (!lostUnseenAfter.has(after)) lostUnseenAfter.set(after, { type: 'lost_unseen', from: 'server', what: 'SYN-ACK' });
    } else if (e.kind === 'syn_ack_lost') {
      const i = indexOf(e);
      if (i < 0) continue;
      for (let j = i - 1; j >= 0; j--) {
        const r = segs[j]!;
        const ackOfIt = r.from === 'client' && isPureAck(r);
        if (isSynAck(r) || ackOfIt) {
          lost.add(j);
          break;
        }
      }
    }
  }
  return { lost, lostUnseenAfter };
}

/** The states each side entered on one segment, in the order it entered them. */
export interface SegmentStates {
  client: EndpointState[];
  server: EndpointState[];
}

/**
 * Every state each side entered on each recorded segment, in order: one segment can take an
 * endpoint through two states (FIN_WAIT_1 → CLOSING when its FIN crosses the peer's, FIN_WAIT_2 →
 * TIME_WAIT on a FIN+ACK that acknowledges its own FIN), and the record keeps only the last one
 * (`clientState`/`serverState`). The rest come from the connection's state history, where every
 * change has the frame and time of the segment it happened on. A segment whose recorded state does
 * not close the history's list for it (a hand-built report, a history without it) shows that one state.
 */
export function segmentStates(conn: ConnectionReport): SegmentStates[] {
  const segs = conn.segments ?? [];
  const out: SegmentStates[] = segs.map(() => ({ client: [], server: [] }));
  for (const side of ['client', 'server'] as const) {
    const byKey = new Map<string, EndpointState[]>();
    for (const ch of conn.states?.[side] ?? []) {
      const k = `${ch.frame}@${ch.time}`;
      const list = byKey.get(k);
      if (list) list.push(ch.state);
      else byKey.set(k, [ch.state]);
    }
    segs.forEach((r, i) => {
      const last = side === 'client' ? r.clientState : r.serverState;
      if (last === undefined) return;
      const k = `${r.frame}@${r.time}`;
      const list = byKey.get(k);
      byKey.delete(k); // a change belongs to one segment (the first with its frame and time)
      out[i]![side] = list !== undefined && list[list.length - 1] === last ? list : [last];
    });
  }
  return out;
}

/** True when the run merged several files: frame numbers are then per file and need the file. */
export function isMultiFile(conn: ConnectionReport): boolean {
  return conn.firstFile !== undefined || (conn.segments ?? []).some((s) => s.file !== undefined);
}

/**
 * A frame as a ladder names it: Wireshark's frame number, preceded in multi-file runs by the file's
 * position among the inputs, counted from 1 (`2:8` is frame 8 of the second file).
 */
export function frameText(rec: { frame: number; file?: number }, multiFile: boolean): string {
  return multiFile ? `${(rec.file ?? 0) + 1}:${rec.frame}` : String(rec.frame);
}

/** The legend line of a multi-file ladder: which number is which file. */
export function fileLegend(files: readonly string[] | undefined): string {
  if (files && files.length > 1) return `frames are FILE:FRAME; files: ${files.map((f, i) => `${i + 1} = ${f}`).join(', ')}`;
  return 'frames are FILE:FRAME, the files numbered from 1 in the order given';
}

/** `[SYN, ACK] seq=0 ack=1 len=0` */
export function segmentLabel(rec: SegmentRecord): string {
  let s = `[${rec.flags || '<none>'}] seq=${rec.relSeq}`;
  if (rec.relAck !== null) s += ` ack=${rec.relAck}`;
  s += ` len=${rec.length}`;
  if (rec.marks.length) s += ` (${rec.marks.join(', ')})`;
  return s;
}

/** The state each side is in before the first recorded segment. */
export function initialStates(conn: ConnectionReport): { client: string | null; server: string | null } {
  const first = conn.segments?.[0];
  if (first && first.from === 'client' && /SYN/.test(first.flags) && !/ACK/.test(first.flags)) {
    // RFC 9293 §3.5: an active open starts from CLOSED; the server is listening (a passive open),
    // unless the SYN was refused: a SYN to a CLOSED port is answered by RST (§3.10.7.1).
    return { client: 'CLOSED', server: conn.handshake.kind === 'refused' ? 'CLOSED' : 'LISTEN' };
  }
  return { client: null, server: null };
}
