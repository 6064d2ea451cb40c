/**
 * analyze() over the shared corpus of real captures (skipped when absent): it never throws, every
 * capture with TCP yields connections, and the verdicts we can check by reading the packets
 * (`tshark -r FILE`) are what tcpshake reports.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';
import type { ConnectionReport } from '../../src/model/report.js';

const CORPUS = '../shared/corpus';
const have = existsSync(CORPUS);

function files(): string[] {
  if (!have) return [];
  const out: string[] = [];
  for (const d of ['tcpdump', 'zeek', 'suricata-verify']) {
    const dir = join(CORPUS, d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(join(dir, f));
  }
  return out;
}

async function one(name: string): Promise<ConnectionReport[]> {
  const r = await analyze([join(CORPUS, name)]);
  return r.connections;
}

describe.skipIf(!have)('corpus: every capture', () => {
  it.each(files())('%s: analyses without throwing', async (file) => {
    const events: string[] = [];
    const streamed: number[] = [];
    const r = await analyze([file], { recordSegments: true, onEvent: (e) => events.push(e.kind), onConnection: (c) => streamed.push(c.id) });
    const cap = r.captures[0]!;
    if (cap.tcpSegments > 0) expect(r.connections.length).toBeGreaterThan(0);
    expect(r.summary.connections).toBe(r.connections.length);
    expect(r.connections.map((c) => c.id)).toEqual(r.connections.map((_, i) => i + 1));
    expect(streamed.slice().sort((a, b) => a - b)).toEqual(r.connections.map((c) => c.id));
    expect(events.length).toBe(r.connections.reduce((n, c) => n + c.events.length, 0));
    let segs = 0;
    for (const c of r.connections) {
      segs += c.stats.client.packets + c.stats.server.packets;
      expect(c.segments!.length + (c.elidedSegments ?? 0)).toBe(c.stats.client.packets + c.stats.server.packets);
    }
    expect(segs).toBe(cap.tcpSegments);
  });
});

describe.skipIf(!have)('corpus: verdicts checked against the packets', () => {
  it('tcpdump dns_tcp.pcap: three-way handshake, four-way close initiated by the client', async () => {
    // tshark: 1 SYN, 2 SYN-ACK, 3 ACK, ..., 8 client FIN, 9 server ACK, 10 server FIN, 11 client ACK.
    const [c, ...rest] = await one('tcpdump/dns_tcp.pcap');
    expect(rest).toHaveLength(0);
    expect(c!.client).toEqual({ ip: '192.168.1.11', port: 33779 });
    expect(c!.server).toEqual({ ip: '209.87.249.18', port: 53 });
    expect(c!.handshake.kind).toBe('three_way');
    expect(c!.close).toMatchObject({ kind: 'four_way', initiator: 'client', rstBy: null, finalAckSeen: true, finalAckLost: false });
    expect(c!.finalState).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(c!.firstFrame).toBe(1);
    expect(c!.lastFrame).toBe(11);
    expect(c!.states.client.find((s) => s.state === 'FIN_WAIT_1')!.frame).toBe(8);
    expect(c!.states.server.find((s) => s.state === 'LAST_ACK')!.frame).toBe(10);
  });
  it('tcpdump print-flags.pcap: a complete session closed with FIN+ACK (three-way close)', async () => {
    // tshark: 8 client [FIN, ACK], 9 server [FIN, ACK] Ack=204 (acknowledges the FIN), 10 client ACK.
    const [c] = await one('tcpdump/print-flags.pcap');
    expect(c!.handshake.kind).toBe('three_way');
    expect(c!.close).toMatchObject({ kind: 'three_way', initiator: 'client', finalAckSeen: true });
    expect(c!.stats.client.packets + c!.stats.server.packets).toBe(10);
    expect(c!.completeness).toBe(31);
  });
  it('tcpdump mptcp-fclose.pcap: server resets an established connection (frame 11)', async () => {
    const [c] = await one('tcpdump/mptcp-fclose.pcap');
    expect(c!.handshake.kind).toBe('three_way');
    expect(c!.close).toMatchObject({ kind: 'reset', initiator: 'server', rstBy: 'server' });
    expect(c!.close.rst).toMatchObject({ by: 'server', frame: 11, check: 'exact', state: { client: 'ESTABLISHED', server: 'ESTABLISHED' } });
  });
  it('tcpdump tcp_rst_data.pcap: a lone RST with data, capture started mid-connection', async () => {
    const [c] = await one('tcpdump/tcp_rst_data.pcap');
    expect(c!.handshake.kind).toBe('not_captured');
    expect(c!.close.kind).toBe('reset');
    expect(c!.server.port).toBe(80);
    expect(c!.events.map((e) => e.kind)).toEqual(['midstream_start', 'rst']);
  });
  it('tcpdump tcp-handshake-nano.pcap: handshake only, open at the end', async () => {
    const [c] = await one('tcpdump/tcp-handshake-nano.pcap');
    expect(c!.handshake.kind).toBe('three_way');
    expect(c!.close.kind).toBe('open');
    expect(c!.finalState).toEqual({ client: 'ESTABLISHED', server: 'ESTABLISHED' });
  });
  it('tcpdump accecn_handshake.pcap: AccECN negotiated (SYN AE+CWR+ECE, SYN-ACK CWR)', async () => {
    const [c] = await one('tcpdump/accecn_handshake.pcap');
    expect(c!.handshake.options.client).toMatchObject({ mss: 1460, windowScale: 6, ecn: 'accecn' });
    expect(c!.handshake.options.server).toMatchObject({ mss: 1460, windowScale: 7, ecn: 'accecn' });
  });
  it('suricata community-id-ipv6.pcap: the second connection closes simultaneously', async () => {
    // tshark: 66 client FIN (Seq=1726435037), 68 server FIN with Ack=1726435037 (not the FIN), 69/70 ACKs.
    const cs = await one('suricata-verify/community-id-ipv6.pcap');
    expect(cs).toHaveLength(2);
    expect(cs[1]!.close).toMatchObject({ kind: 'simultaneous', initiator: 'both' });
    expect(cs[1]!.finalState).toEqual({ client: 'TIME_WAIT', server: 'TIME_WAIT' });
    expect(cs[1]!.displayFilter).toMatch(/^ipv6\.addr==/);
  });
  it('zeek tcp__syn-then-rst.pcap: the SYN sender’s RST (seq = ISN) to a listener is not acceptable (RFC 9293 §3.10.7.2)', async () => {
    const [c] = await one('zeek/tcp__syn-then-rst.pcap');
    expect(c!.handshake.kind).toBe('unanswered');
    expect(c!.events.map((e) => e.kind)).toContain('rst_out_of_window');
  });
  it('zeek tcp__ctu-64702-888.pcap: every frame captured twice — duplicates, not lost SYN-ACK or final ACK', async () => {
    // tshark: frames 2k and 2k+1 have the same IP ID, seq, ack, flags and length, 0-241 µs apart.
    const cs = await one('zeek/tcp__ctu-64702-888.pcap');
    expect(cs).toHaveLength(1);
    const c = cs[0]!;
    const kinds = c.events.map((e) => e.kind);
    expect(c.handshake).toMatchObject({ kind: 'three_way', synAckRetransmits: 0 });
    expect(c.close).toMatchObject({ kind: 'reset', rstBy: 'server', finalAckLost: false });
    expect(kinds).not.toContain('final_ack_lost');
    expect(kinds).not.toContain('syn_ack_lost');
    expect(kinds).not.toContain('fin_retransmit');
    const dups = c.events.filter((e) => e.kind === 'duplicate');
    expect(dups.map((e) => [e.by, e.frame])).toEqual([
      ['server', 2],
      ['client', 4],
    ]);
    expect(c.stats.client).toMatchObject({ packets: 8, retransmits: 0 });
    expect(c.stats.server).toMatchObject({ packets: 8, retransmits: 0 });
  });
});
