import { describe, expect, it } from 'vitest';
import { renderLadder } from '../../src/report/ladder.js';
import { renderMermaid } from '../../src/report/mermaid.js';
import { inferLosses, ladderItems } from '../../src/report/ladder-rows.js';
import type { ConnectionReport, SegmentRecord } from '../../src/report/model.js';
import { conn, ev, seg } from './fixtures.js';

function clean(): ConnectionReport {
  return conn({
    id: 1,
    firstFrame: 1,
    lastFrame: 8,
    start: seg(1, 'client', 'SYN', 0, null).time,
    segments: [
      seg(1, 'client', 'SYN', 0, null, 0, { clientState: 'SYN_SENT', serverState: 'SYN_RECEIVED' }),
      seg(2, 'server', 'SYN, ACK', 0, 1),
      seg(3, 'client', 'ACK', 1, 1, 0, { clientState: 'ESTABLISHED', serverState: 'ESTABLISHED' }),
      seg(4, 'client', 'PSH, ACK', 1, 1, 100),
      seg(5, 'server', 'FIN, ACK', 1, 101, 0, { serverState: 'FIN_WAIT_1', clientState: 'CLOSE_WAIT' }),
      seg(6, 'client', 'FIN, ACK', 101, 2, 0, { clientState: 'LAST_ACK', serverState: 'TIME_WAIT' }),
      seg(7, 'client', 'FIN, ACK', 101, 2, 0, { marks: ['retransmission'] }),
      seg(8, 'server', 'ACK', 2, 102, 0, { clientState: 'CLOSED' }),
    ],
    events: [ev('syn', 1, 'client'), ev('fin_retransmit', 7, 'client'), ev('final_ack_lost', 7, 'server', { detail: 'client retransmitted its FIN' }), ev('segment_not_captured', 8, 'server', { detail: 'ACK of FIN' })],
    stats: { client: { packets: 5, bytes: 100, ipBytes: 300, retransmits: 1 }, server: { packets: 3, bytes: 0, ipBytes: 120, retransmits: 0 } },
  });
}

describe('ladder (terminal)', () => {
  const text = renderLadder(clean(), { color: false, full: false, width: 100 });
  const lines = text.split('\n');

  it('puts the client on the left and the server on the right, one arrow per segment', () => {
    const syn = lines.find((l) => l.includes('[SYN] seq=0 len=0'))!;
    expect(syn).toMatch(/^ {4}1 {2}\+0\.000000 {2}SYN_SENT {5}── \[SYN\] seq=0 len=0 ─+▶ SYN_RECEIVED$/);
    const synack = lines.find((l) => l.includes('[SYN, ACK]'))!;
    expect(synack).toMatch(/◀─+ \[SYN, ACK\] seq=0 ack=1 len=0 ──$/);
    expect(syn.length).toBeLessThanOrEqual(100);
  });

  it('prints the starting states and each state where it changes', () => {
    expect(lines.some((l) => /^\s+CLOSED\s+LISTEN$/.test(l))).toBe(true);
    expect(lines.find((l) => l.includes('[FIN, ACK] seq=1 ack=101'))).toMatch(/CLOSE_WAIT .*FIN_WAIT_1$/);
    expect(text).toContain('final states: client TIME_WAIT, server CLOSED');
  });

  it('marks retransmissions, losses and segments the capture did not see', () => {
    expect(text).toContain('[FIN, ACK] seq=101 ack=2 len=0 (retransmission)');
    expect(text).toContain('⚑ final_ack_lost (server): client retransmitted its FIN');
    expect(lines.find((l) => l.includes('segment_not_captured'))).toMatch(/◀╌+ segment_not_captured: ACK of FIN \(not in the capture\) ╌+$/);
  });

  it('shows the connection, its display filter and no colour unless asked', () => {
    expect(lines[0]).toBe('connection #1  10.0.0.1:40001 → 10.0.0.2:80  handshake three_way, close four_way by client');
    expect(text).toContain('wireshark filter: tcp.stream eq 0');
    expect(text).not.toContain('\u001b[');
    expect(renderLadder(clean(), { color: true, full: false, width: 100 })).toContain('\u001b[');
  });

  it('elides the data middle of a long connection unless --full', () => {
    const c = clean();
    const data: SegmentRecord[] = [];
    for (let i = 0; i < 100; i++) data.push(seg(100 + i, i % 2 ? 'server' : 'client', 'ACK', 1 + i, 1, i % 2 ? 0 : 1000));
    c.segments = [...c.segments!.slice(0, 4), ...data, ...c.segments!.slice(4)];
    const items = ladderItems(c, false);
    const elided = items.filter((i) => i.type === 'elided');
    expect(elided).toHaveLength(1);
    expect(elided[0]).toMatchObject({ type: 'elided', count: 92, segments: { client: 46, server: 46 }, bytes: { client: 46000, server: 0 } });
    const shortText = renderLadder(c, { color: false, full: false, width: 120 });
    expect(shortText).toContain('92 data segments elided: client→server 46 (46000 bytes), server→client 46 (0 bytes)');
    expect(shortText).toContain('[FIN, ACK] seq=1 ack=101');
    const fullText = renderLadder(c, { color: false, full: true, width: 120 });
    expect(fullText).not.toContain('elided');
    expect(fullText.split('\n').filter((l) => l.includes('[ACK]')).length).toBe(102);
  });
});

describe('ladder (mermaid)', () => {
  it('writes a sequenceDiagram with participants, arrows, state notes and dashed unseen segments', () => {
    const m = renderMermaid(clean());
    const lines = m.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines[1]).toBe('    participant Client as Client 10.0.0.1:40001');
    expect(lines[2]).toBe('    participant Server as Server 10.0.0.2:80');
    expect(lines).toContain('    Note over Client: CLOSED');
    expect(lines).toContain('    Note over Server: LISTEN');
    expect(lines).toContain('    Client->>Server: SYN seq=0 len=0 · frame 1 +0.000000s');
    expect(lines).toContain('    Note over Client: SYN_SENT');
    expect(lines).toContain('    Server->>Client: SYN, ACK seq=0 ack=1 len=0 · frame 2 +0.001000s');
    expect(lines).toContain('    Server-->>Client: segment_not_captured: ACK of FIN (not in the capture)');
    expect(m).not.toMatch(/[;#]/);
  });
  it('draws lost segments with a cross', () => {
    const c = clean();
    c.segments![7] = { ...c.segments![7]!, marks: ['lost'] };
    expect(renderMermaid(c)).toContain('    Server--xClient: ACK seq=2 ack=102 len=0 (lost after the capture point) · frame 8 +0.007000s');
  });
});

describe('losses', () => {
  const closing = (withFinalAck: boolean): ConnectionReport =>
    conn({
      id: 1,
      start: seg(1, 'client', 'SYN', 0, null).time,
      segments: [
        seg(1, 'client', 'SYN', 0, null),
        seg(2, 'server', 'SYN, ACK', 0, 1),
        seg(3, 'client', 'ACK', 1, 1),
        seg(4, 'client', 'FIN, ACK', 1, 1),
        seg(5, 'server', 'FIN, ACK', 1, 2),
        ...(withFinalAck ? [seg(6, 'client', 'ACK', 2, 2)] : []),
        seg(7, 'server', 'FIN, ACK', 1, 2, 0, { marks: ['retransmission'] }),
        seg(8, 'client', 'ACK', 2, 2),
      ],
      events: [ev('final_ack_lost', 7, 'server')],
    });

  it('marks a final ACK the capture saw as lost after the capture point', () => {
    const c = closing(true);
    expect([...inferLosses(c).lost]).toEqual([5]);
    const text = renderLadder(c, { color: false, full: false, width: 100 });
    expect(text).toMatch(/ {2}6 .*╌╌ \[ACK\] seq=2 ack=2 len=0 \(lost after the capture point\) ╌+✗/);
    expect(renderMermaid(c)).toContain('    Client--xServer: ACK seq=2 ack=2 len=0 (lost after the capture point) · frame 6');
  });

  it('draws a final ACK the capture never saw as lost before the capture point', () => {
    const c = closing(false);
    const { lost, lostUnseenAfter } = inferLosses(c);
    expect(lost.size).toBe(0);
    expect([...lostUnseenAfter.entries()]).toEqual([[4, { type: 'lost_unseen', from: 'client', what: 'final ACK' }]]);
    const lines = renderLadder(c, { color: false, full: false, width: 100 }).split('\n');
    const i = lines.findIndex((l) => l.includes('final ACK (lost before the capture point)'));
    expect(lines[i - 1]).toContain('[FIN, ACK] seq=1 ack=2 len=0 ──');
    expect(lines[i]).toMatch(/╌╌ final ACK \(lost before the capture point\) ╌+✗$/);
    expect(renderMermaid(c)).toContain('    Client--xServer: final ACK (lost before the capture point)');
  });

  it('marks the SYN-ACK before a retransmission as lost', () => {
    const c = conn({
      id: 1,
      segments: [seg(1, 'client', 'SYN', 0, null), seg(2, 'server', 'SYN, ACK', 0, 1), seg(3, 'server', 'SYN, ACK', 0, 1, 0, { marks: ['retransmission'] })],
      events: [ev('syn_ack_lost', 3, 'server')],
    });
    expect([...inferLosses(c).lost]).toEqual([1]);
  });
});
