/**
 * `tcpshake ladder --format mermaid`: a Mermaid `sequenceDiagram` of one connection, which GitHub
 * and GitLab render in Markdown. Solid arrows for segments, `--x` for lost ones, dashed for
 * segments inferred but not captured, `Note over` for state changes (one per state, in order, when a
 * segment takes a side through several). Multi-file runs name frames FILE:FRAME.
 */
import type { ConnectionReport } from '../model/report.js';
import { endpointText } from '../model/endpoint.js';
import { fileLegend, frameText, initialStates, isMultiFile, ladderItems, segmentLabel } from './ladder-rows.js';
import { assertNever } from '../util/assert.js';

/** Mermaid treats `;` as a statement end and `#` as an entity start in message text. */
function safe(s: string): string {
  return s.replace(/[;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

export function renderMermaid(conn: ConnectionReport, options: { full?: boolean; files?: readonly string[] } = {}): string {
  const out: string[] = ['sequenceDiagram'];
  const multi = isMultiFile(conn);
  // A Mermaid comment: not drawn, but it says which number is which file.
  if (multi) out.push(`    %% ${fileLegend(options.files).replace(/[\r\n]/g, ' ')}`);
  out.push(`    participant Client as Client ${endpointText(conn.client.ip, conn.client.port)}`);
  out.push(`    participant Server as Server ${endpointText(conn.server.ip, conn.server.port)}`);
  const init = initialStates(conn);
  if (init.client) out.push(`    Note over Client: ${init.client}`);
  if (init.server) out.push(`    Note over Server: ${init.server}`);
  for (const item of ladderItems(conn, options.full ?? false)) {
    switch (item.type) {
      case 'segment': {
        const r = item.rec;
        const [from, to] = r.from === 'client' ? ['Client', 'Server'] : ['Server', 'Client'];
        const label = segmentLabel(r).replace(/^\[([^\]]*)\]/, '$1');
        const when = `frame ${frameText(r, multi)} +${(r.time - conn.start).toFixed(6)}s`;
        out.push(`    ${from}${item.lost ? '--x' : '->>'}${to}: ${safe(`${label}${item.lost ? ' (lost after the capture point)' : ''} · ${when}`)}`);
        for (const st of item.states.client) out.push(`    Note over Client: ${st}`);
        for (const st of item.states.server) out.push(`    Note over Server: ${st}`);
        break;
      }
      case 'unseen': {
        const e = item.event;
        const text = safe(`${e.kind}${e.detail ? `: ${e.detail}` : ''} (not in the capture)`);
        if (item.from === null) out.push(`    Note over Client,Server: ${text}`);
        else {
          const [from, to] = item.from === 'client' ? ['Client', 'Server'] : ['Server', 'Client'];
          out.push(`    ${from}-->>${to}: ${text}`);
        }
        break;
      }
      case 'lost_unseen': {
        const [from, to] = item.from === 'client' ? ['Client', 'Server'] : ['Server', 'Client'];
        out.push(`    ${from}--x${to}: ${safe(`${item.what} (lost before the capture point)`)}`);
        break;
      }
      case 'note': {
        const e = item.event;
        const over = e.by === 'client' ? 'Client' : e.by === 'server' ? 'Server' : 'Client,Server';
        out.push(`    Note over ${over}: ${safe(`${e.kind}${e.detail ? `: ${e.detail}` : ''}`)}`);
        break;
      }
      case 'elided':
        out.push(
          `    Note over Client,Server: ${item.count} data segments elided (client ${item.bytes.client} bytes, server ${item.bytes.server} bytes)`,
        );
        break;
      default:
        assertNever(item, 'ladder item');
    }
  }
  return out.join('\n') + '\n';
}
