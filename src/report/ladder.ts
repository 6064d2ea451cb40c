/**
 * `tcpshake ladder`: one connection as a sequence diagram in the terminal. The client's column is on
 * the left, the server's on the right; one arrow per segment, each side's state printed on the row
 * where it changes (a segment that takes a side through several states prints one per line, as the
 * textbook pictures do). Pure: colour and width are parameters.
 */
import type { ConnectionReport, SegmentRecord } from '../model/report.js';
import { endpointText } from '../model/endpoint.js';
import { closeText } from './text.js';
import { fileLegend, frameText, initialStates, isMultiFile, ladderItems, segmentLabel } from './ladder-rows.js';
import { formatTimestamp, padEnd, palette, type Palette } from './style.js';
import { assertNever } from '../util/assert.js';

export interface LadderOptions {
  color: boolean;
  /** Show every segment instead of eliding the data in the middle of long connections. */
  full: boolean;
  /** Total width in columns (the terminal's, or 100). */
  width: number;
  /** The run's input files, named in the legend of a multi-file ladder (frames are FILE:FRAME). */
  files?: readonly string[];
}

const STATE_W = 12; // "SYN_RECEIVED"
const MIN_ARROW = 30;

function arrow(label: string, rightward: boolean, width: number, dashed: boolean, lost: boolean): string {
  const line = dashed ? '╌' : '─';
  const head = lost ? '✗' : rightward ? '▶' : '◀';
  const body = ` ${label} `;
  // Two line characters at the tail, the rest towards the head; a long label makes a longer arrow.
  const rest = Math.max(2, width - body.length - 3);
  return rightward ? line.repeat(2) + body + line.repeat(rest) + head : head + line.repeat(rest) + body + line.repeat(2);
}

function paintFlags(rec: SegmentRecord, p: Palette): (s: string) => string {
  if (rec.flags.includes('RST')) return p.red;
  if (rec.marks.length) return p.yellow;
  if (rec.flags.includes('SYN') || rec.flags.includes('FIN')) return p.bold;
  return (s) => s;
}

export function renderLadder(conn: ConnectionReport, options: LadderOptions): string {
  const p = palette(options.color);
  const segs = conn.segments ?? [];
  const client = endpointText(conn.client.ip, conn.client.port);
  const server = endpointText(conn.server.ip, conn.server.port);
  // Frame numbers are per file: a multi-file run names the file too (FILE:FRAME).
  const multi = isMultiFile(conn);
  const frameOf = (r: SegmentRecord): string => frameText(r, multi);
  const frameW = Math.max(5, ...segs.map((s) => frameOf(s).length));
  const timeW = Math.max(9, ('+' + conn.duration.toFixed(6)).length);
  const fixed = frameW + 2 + timeW + 2 + STATE_W + 1 + 1 + STATE_W;
  const arrowW = Math.max(MIN_ARROW, options.width - fixed);

  const lines: string[] = [];
  lines.push(
    `${p.bold(`connection #${conn.id}`)}  ${client} → ${server}  handshake ${conn.handshake.kind}, close ${closeText(conn)}`,
  );
  lines.push(`${p.dim('start')} ${formatTimestamp(conn.start)}  ${p.dim('wireshark filter:')} ${conn.displayFilter}`);
  const total = conn.stats.client.packets + conn.stats.server.packets;
  if (segs.length === 0) {
    lines.push(p.yellow('no segments were recorded for this connection'));
    return lines.join('\n') + '\n';
  }
  if (conn.handshake.kind === 'not_captured') {
    lines.push(p.dim('the handshake is not in the capture: seq/ack are not relative to the initial sequence numbers'));
  }
  if (segs.length < total) lines.push(p.yellow(`${segs.length} of ${total} segments recorded (the middle was not kept)`));
  if (multi) lines.push(p.dim(fileLegend(options.files)));
  lines.push('');

  const row = (frame: string, time: string, cs: string, mid: string, ss: string): string =>
    (frame.padStart(frameW) + '  ' + time.padStart(timeW) + '  ' + padEnd(cs, STATE_W) + ' ' + mid + ' ' + ss).trimEnd();

  const headL = `client ${client}`;
  const headR = `server ${server}`;
  lines.push(
    p.dim(
      ('frame'.padStart(frameW) + '  ' + 'time'.padStart(timeW) + '  ' + headL.padEnd(STATE_W + 1 + arrowW + 1) + headR).trimEnd(),
    ),
  );
  const init = initialStates(conn);
  if (init.client || init.server) lines.push(row('', '', p.cyan(init.client ?? ''), ' '.repeat(arrowW), p.cyan(init.server ?? '')));

  for (const item of ladderItems(conn, options.full)) {
    switch (item.type) {
      case 'segment': {
        const r = item.rec;
        const rightward = r.from === 'client';
        const label = segmentLabel(r) + (item.lost ? ' (lost after the capture point)' : '');
        const a = arrow(label, rightward, arrowW, item.lost, item.lost);
        const painted = item.lost ? p.red(a) : paintFlags(r, p)(a);
        const rel = `+${(r.time - conn.start).toFixed(6)}`;
        const { client: cs, server: ss } = item.states;
        lines.push(row(frameOf(r), rel, p.cyan(cs[0] ?? ''), painted, p.cyan(ss[0] ?? '')));
        // Further states entered on the same segment, one per line under it, in order.
        for (let k = 1; k < Math.max(cs.length, ss.length); k++) {
          lines.push(row('', '', p.cyan(cs[k] ?? ''), ' '.repeat(arrowW), p.cyan(ss[k] ?? '')));
        }
        break;
      }
      case 'unseen': {
        const e = item.event;
        const what = `${e.kind}${e.detail ? `: ${e.detail}` : ''} (not in the capture)`;
        const a = item.from === null ? `╌ ${what}` : arrow(what, item.from === 'client', arrowW, true, false);
        lines.push(row('', '', '', p.magenta(a), ''));
        break;
      }
      case 'lost_unseen': {
        const a = arrow(`${item.what} (lost before the capture point)`, item.from === 'client', arrowW, true, true);
        lines.push(row('', '', '', p.red(a), ''));
        break;
      }
      case 'note': {
        const e = item.event;
        lines.push(row('', '', '', p.yellow(`  ⚑ ${e.kind}${e.by ? ` (${e.by})` : ''}${e.detail ? `: ${e.detail}` : ''}`), ''));
        break;
      }
      case 'elided': {
        const b = item.bytes;
        const s = item.segments;
        const text = `⋮ ${item.count} data segments elided: client→server ${s.client} (${b.client} bytes), server→client ${s.server} (${b.server} bytes); --full shows them`;
        lines.push(row('', '', '', p.dim(text), ''));
        break;
      }
      default:
        assertNever(item, 'ladder item');
    }
  }
  lines.push('');
  lines.push(`final states: client ${p.cyan(conn.finalState.client)}, server ${p.cyan(conn.finalState.server)}`);
  return lines.join('\n') + '\n';
}
