import { describe, expect, it } from 'vitest';
import { renderLadder } from '../../src/report/ladder.js';
import { renderMermaid } from '../../src/report/mermaid.js';
import { frameText, inferLosses, isMultiFile, ladderItems, segmentStates } from '../../src/report/ladder-rows.js';
import type { ConnectionReport, SegmentRecord, StateChange } from '../../src/model/report.js';
import type { ConnectionEvent } from '../../src/model/events.js';
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
    stats: { client: { packets: 5, bytes: 100, ipBytes: 300, retransmits: 1, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null }, server: { packets: 3, bytes: 0, ipBytes: 120, retransmits: 0, wireBytes: 0, retransmittedBytes: 0, outOfOrder: 0, dupAcks: 0, zeroWindow: { episodes: 0, seconds: 0, shutAtEnd: false }, zeroWindowProbes: 0, rtt: null, throughput: null } },
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

/** RFC 9293 figure 13: both FINs cross; the server sends its FIN before the client's arrives. */
function simultaneousClose(): ConnectionReport {
  const t = (f: number): number => seg(f, 'client', 'ACK', 0, null).time;
  const st = (state: StateChange['state'], frame: number, how: StateChange['how'] = 'observed'): StateChange => ({ state, frame, time: t(frame), how });
  return conn({
    id: 1,
    start: t(1),
    close: { kind: 'simultaneous', initiator: 'both', rstBy: null, finalAckLost: false, finalAckSeen: true },
    finalState: { client: 'TIME_WAIT', server: 'TIME_WAIT' },
    states: {
      client: [st('SYN_SENT', 1), st('ESTABLISHED', 3), st('FIN_WAIT_1', 4), st('CLOSING', 5, 'inferred'), st('TIME_WAIT', 7, 'inferred')],
      server: [st('SYN_RECEIVED', 2), st('ESTABLISHED', 3, 'inferred'), st('FIN_WAIT_1', 5), st('CLOSING', 5, 'inferred'), st('TIME_WAIT', 6, 'inferred')],
    },
    // As labelStates leaves them: the last state each side entered on each segment.
    segments: [
      seg(1, 'client', 'SYN', 0, null, 0, { clientState: 'SYN_SENT' }),
      seg(2, 'server', 'SYN, ACK', 0, 1, 0, { serverState: 'SYN_RECEIVED' }),
      seg(3, 'client', 'ACK', 1, 1, 0, { clientState: 'ESTABLISHED', serverState: 'ESTABLISHED' }),
      seg(4, 'client', 'FIN, ACK', 1, 1, 0, { clientState: 'FIN_WAIT_1' }),
      seg(5, 'server', 'FIN, ACK', 1, 1, 0, { clientState: 'CLOSING', serverState: 'CLOSING' }),
      seg(6, 'client', 'ACK', 2, 2, 0, { serverState: 'TIME_WAIT' }),
      seg(7, 'server', 'ACK', 2, 2, 0, { clientState: 'TIME_WAIT' }),
    ],
    events: [],
  });
}

describe('several states entered on one segment', () => {
  it('takes every state of the history, in order, for the segment it happened on', () => {
    const s = segmentStates(simultaneousClose());
    expect(s[4]).toEqual({ client: ['CLOSING'], server: ['FIN_WAIT_1', 'CLOSING'] });
    expect(s[2]).toEqual({ client: ['ESTABLISHED'], server: ['ESTABLISHED'] });
    expect(s[5]).toEqual({ client: [], server: ['TIME_WAIT'] });
  });

  it('falls back to the recorded state when the history does not end with it', () => {
    const c = simultaneousClose();
    c.states = { client: [], server: [] };
    expect(segmentStates(c)[4]).toEqual({ client: ['CLOSING'], server: ['CLOSING'] });
    // A change withdrawn from the history (the record no longer names it) is not drawn.
    const d = simultaneousClose();
    delete d.segments![4]!.serverState;
    expect(segmentStates(d)[4]!.server).toEqual([]);
  });

  it('the terminal ladder prints one state per line under the segment', () => {
    const lines = renderLadder(simultaneousClose(), { color: false, full: false, width: 100 }).split('\n');
    const i = lines.findIndex((l) => /^ {4}5 /.test(l));
    expect(lines[i]).toMatch(/^ {4}5 {2}\+0\.004000 {2}CLOSING {6}◀─+ \[FIN, ACK\] seq=1 ack=1 len=0 ── FIN_WAIT_1$/);
    // The continuation row: nothing in the frame, time and client columns, CLOSING under FIN_WAIT_1.
    expect(lines[i + 1]).toBe(' '.repeat(lines[i]!.length - 'FIN_WAIT_1'.length) + 'CLOSING');
    expect(lines[i + 2]).toMatch(/^ {4}6 /);
    for (const l of lines.filter((x) => /^ {4}\d /.test(x))) expect(l.length).toBeLessThanOrEqual(100);
  });

  it('the terminal ladder shows FIN_WAIT_2 then TIME_WAIT for a FIN+ACK acknowledging the FIN', () => {
    const c = simultaneousClose();
    // Turn frame 5 into the merged FIN+ACK of a three-way close: the client passes FIN_WAIT_2.
    c.states.client = [...c.states.client.slice(0, 3), { state: 'FIN_WAIT_2', frame: 5, time: c.segments![4]!.time, how: 'inferred' }, { state: 'TIME_WAIT', frame: 5, time: c.segments![4]!.time, how: 'inferred' }];
    c.segments![4] = { ...c.segments![4]!, relAck: 2, clientState: 'TIME_WAIT' };
    const lines = renderLadder(c, { color: false, full: false, width: 100 }).split('\n');
    const i = lines.findIndex((l) => /^ {4}5 /.test(l));
    expect(lines[i]).toMatch(/^ {4}5 {2}\+0\.004000 {2}FIN_WAIT_2 {3}◀/);
    expect(lines[i + 1]).toMatch(/^ {18}TIME_WAIT +CLOSING$/);
  });

  it('Mermaid writes one note per state, in order', () => {
    const m = renderMermaid(simultaneousClose()).split('\n');
    const i = m.findIndex((l) => l.includes('frame 5 '));
    expect(m.slice(i, i + 4)).toEqual([
      '    Server->>Client: FIN, ACK seq=1 ack=1 len=0 · frame 5 +0.004000s',
      '    Note over Client: CLOSING',
      '    Note over Server: FIN_WAIT_1',
      '    Note over Server: CLOSING',
    ]);
  });

  it('ladder items carry the states', () => {
    const items = ladderItems(simultaneousClose(), false).filter((it) => it.type === 'segment');
    expect(items.map((it) => (it.type === 'segment' ? it.states.server.join('>') : ''))).toEqual([
      '',
      'SYN_RECEIVED',
      'ESTABLISHED',
      '',
      'FIN_WAIT_1>CLOSING',
      'TIME_WAIT',
      '',
    ]);
  });
});

describe('a SYN-ACK lost before the capture point', () => {
  const DETAIL =
    "the first SYN-ACK seen echoes the first SYN's timestamp (TSecr 1999997197) after 1 SYN retry: the server had answered that SYN, and the answer was lost before the capture point";
  const lostBefore = (): ConnectionReport =>
    conn({
      id: 1,
      start: seg(1, 'client', 'SYN', 0, null).time,
      segments: [
        seg(1, 'client', 'SYN', 0, null, 0, { clientState: 'SYN_SENT' }),
        seg(2, 'client', 'SYN', 0, null, 0, { marks: ['retransmission'] }),
        seg(3, 'server', 'SYN, ACK', 0, 1, 0, { serverState: 'SYN_RECEIVED' }),
        seg(4, 'client', 'ACK', 1, 1, 0, { clientState: 'ESTABLISHED', serverState: 'ESTABLISHED' }),
        seg(5, 'server', 'SYN, ACK', 0, 1, 0, { marks: ['retransmission'] }),
      ],
      events: [ev('syn_retransmit', 2, 'client'), ev('syn_ack', 3, 'server'), ev('syn_ack_lost', 3, 'server', { lost: 'before_capture', evidence: 'timestamp_echo', tsEcr: 1999997197, synRetries: 1, detail: DETAIL } as Partial<ConnectionEvent>)],
    });

  it('is inferred after the first SYN, the one it answered, and marks no captured segment', () => {
    const { lost, lostUnseenAfter } = inferLosses(lostBefore());
    expect(lost.size).toBe(0);
    expect([...lostUnseenAfter.entries()]).toEqual([[0, { type: 'lost_unseen', from: 'server', what: 'SYN-ACK' }]]);
  });

  it('is drawn as a lost arrow from the server before the SYN retransmission and the first captured SYN-ACK', () => {
    const lines = renderLadder(lostBefore(), { color: false, full: false, width: 100 }).split('\n');
    const i = lines.findIndex((l) => l.includes('SYN-ACK (lost before the capture point)'));
    expect(lines[i - 1]).toMatch(/^ {4}1 .*\[SYN\] seq=0 len=0 ─+▶$/);
    expect(lines[i]).toMatch(/^ +✗╌+ SYN-ACK \(lost before the capture point\) ╌╌$/);
    expect(lines[i + 1]).toMatch(/^ {4}2 .*\(retransmission\)/);
    expect(renderMermaid(lostBefore())).toMatch(/SYN seq=0 len=0 · frame 1 \+0\.000000s\n(?: {4}Note over Client: SYN_SENT\n)? {4}Server--xClient: SYN-ACK \(lost before the capture point\)\n/);
  });

  it('stays in view when the middle of a long connection is elided', () => {
    const c = lostBefore();
    const data: SegmentRecord[] = [];
    for (let i = 0; i < 60; i++) data.push(seg(100 + i, i % 2 ? 'server' : 'client', 'ACK', 1 + i, 1, i % 2 ? 0 : 1000));
    c.segments = [...c.segments!, ...data];
    expect(ladderItems(c, false).filter((it) => it.type === 'lost_unseen')).toHaveLength(1);
  });

  it('a SYN-ACK lost after the capture point still marks the captured one', () => {
    const c = lostBefore();
    c.events = [
      ev('syn_ack_lost', 5, 'server', {
        lost: 'after_capture',
        evidence: 'syn_ack_retransmit',
        detail: 'SYN-ACK retransmitted with no ACK from the client: the SYN-ACK (or the ACK) was lost after the capture point',
      } as Partial<ConnectionEvent>),
    ];
    const { lost, lostUnseenAfter } = inferLosses(c);
    expect([...lost]).toEqual([3]);
    expect(lostUnseenAfter.size).toBe(0);
  });
});

describe('frames of a multi-file run', () => {
  const merged = (): ConnectionReport => {
    const c = clean();
    // The same connection captured at both ends: frames 1..8 of file 0 interleaved with file 1's.
    c.segments = c.segments!.map((s, i) => ({ ...s, file: i % 2 }));
    c.events = c.events.map((e) => ({ ...e, file: (e.frame - 1) % 2 }));
    c.firstFile = 0;
    c.lastFile = 1;
    return c;
  };

  it('names the file of each frame, FILE:FRAME counted from 1, and says which file is which', () => {
    const text = renderLadder(merged(), { color: false, full: false, width: 100, files: ['client.pcap', 'server.pcap'] });
    const lines = text.split('\n');
    expect(text).toContain('frames are FILE:FRAME; files: 1 = client.pcap, 2 = server.pcap');
    expect(lines.find((l) => l.includes('[SYN] seq=0'))).toMatch(/^ {2}1:1 {2}\+0\.000000 {2}SYN_SENT/);
    expect(lines.find((l) => l.includes('[SYN, ACK]'))).toMatch(/^ {2}2:2 {2}/);
    expect(renderLadder(merged(), { color: false, full: false, width: 100 })).toContain('frames are FILE:FRAME, the files numbered from 1 in the order given');
  });

  it('widens the frame column to fit', () => {
    const c = merged();
    c.segments = c.segments!.map((s) => ({ ...s, frame: s.frame + 12345 }));
    const line = renderLadder(c, { color: false, full: false, width: 100 }).split('\n').find((l) => l.includes('[SYN] seq=0'))!;
    expect(line).toMatch(/^1:12346 {2}\+0\.000000/);
    expect(line.length).toBeLessThanOrEqual(100);
  });

  it('Mermaid names the file too, and says which file is which in a comment', () => {
    const m = renderMermaid(merged(), { files: ['a.pcap', 'b.pcap'] });
    expect(m).toContain('    %% frames are FILE:FRAME; files: 1 = a.pcap, 2 = b.pcap\n');
    expect(m).toContain('· frame 2:2 +0.001000s');
  });

  it('a one-file run keeps plain frame numbers', () => {
    expect(frameText({ frame: 8 }, false)).toBe('8');
    expect(frameText({ frame: 8, file: 1 }, true)).toBe('2:8');
    expect(isMultiFile(clean())).toBe(false);
    expect(isMultiFile(merged())).toBe(true);
    const text = renderLadder(clean(), { color: false, full: false, width: 100, files: ['x.pcap'] });
    expect(text).not.toContain('FILE:FRAME');
    expect(renderMermaid(clean())).not.toContain('%%');
  });
});
