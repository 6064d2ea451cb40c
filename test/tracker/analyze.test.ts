import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';

/** Ethernet + IPv4 + TCP (no options), checksums left zero. */
function tcpFrame(src: number[], sport: number, dst: number[], dport: number, seq: number, ack: number, flags: number): Buffer {
  const b = Buffer.alloc(54);
  b.writeUInt16BE(0x0800, 12);
  b[14] = 0x45;
  b.writeUInt16BE(40, 16);
  b[22] = 64;
  b[23] = 6;
  Buffer.from(src).copy(b, 26);
  Buffer.from(dst).copy(b, 30);
  b.writeUInt16BE(sport, 34);
  b.writeUInt16BE(dport, 36);
  b.writeUInt32BE(seq >>> 0, 38);
  b.writeUInt32BE(ack >>> 0, 42);
  b[46] = 5 << 4;
  b[47] = flags;
  b.writeUInt16BE(65535, 48);
  return b;
}

function pcap(frames: Buffer[], tail?: Buffer): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(1, 20);
  const parts = [h];
  frames.forEach((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1_700_000_000, 0);
    r.writeUInt32LE(i * 1000, 4);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    parts.push(r, f);
  });
  if (tail) parts.push(tail);
  return Buffer.concat(parts);
}

const C = [10, 0, 0, 1];
const S = [10, 0, 0, 2];
const handshake = [
  tcpFrame(C, 40000, S, 80, 100, 0, 0x02),
  tcpFrame(S, 80, C, 40000, 500, 101, 0x12),
  tcpFrame(C, 40000, S, 80, 101, 501, 0x10),
];

describe('analyze()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcpshake-analyze-'));
  it('builds capture reports, summary and connections', async () => {
    const f = join(dir, 'ok.pcap');
    writeFileSync(f, pcap(handshake));
    const progress: number[] = [];
    const r = await analyze([f], { onProgress: (p) => progress.push(p.frames) });
    expect(r.schemaVersion).toBe(2);
    expect(r.captures[0]).toMatchObject({ file: f, format: 'pcap', linkTypes: ['EN10MB'], frames: 3, tcpSegments: 3, skipped: {} });
    expect(r.captures[0]!.error).toBeUndefined();
    expect(r.summary).toMatchObject({ connections: 1, handshake: { three_way: 1 }, close: { open: 1 } });
    expect(r.connections[0]!.displayFilter).toBe('ip.addr==10.0.0.1 && tcp.port==40000 && ip.addr==10.0.0.2 && tcp.port==80');
    expect(progress.at(-1)).toBe(3);
  });
  it('a corrupt record header stops reading: everything before is analysed, the capture reports the error', async () => {
    const f = join(dir, 'bad.pcap');
    const bad = Buffer.alloc(16, 0xff);
    writeFileSync(f, pcap(handshake, bad));
    const warnings: string[] = [];
    const r = await analyze([f], { onWarning: (w) => warnings.push(w.message) });
    expect(r.connections).toHaveLength(1);
    expect(r.connections[0]!.handshake.kind).toBe('three_way');
    expect(r.captures[0]!.error).toMatchObject({ file: f, frame: 4 });
    expect(warnings.length).toBeGreaterThan(0);
  });
  it('keepConnections:false streams connections and keeps none', async () => {
    const f = join(dir, 'ok2.pcap');
    writeFileSync(f, pcap(handshake));
    const got: number[] = [];
    const r = await analyze([f], { keepConnections: false, onConnection: (c) => got.push(c.id) });
    expect(r.connections).toEqual([]);
    expect(got).toEqual([1]);
    expect(r.summary.connections).toBe(1);
  });
  it('several inputs: merged by time, file indexes on connections and events', async () => {
    const a = join(dir, 'a.pcap');
    const b = join(dir, 'b.pcap');
    writeFileSync(a, pcap([handshake[0]!]));
    writeFileSync(b, pcap([handshake[1]!, handshake[2]!]));
    const r = await analyze([a, b]);
    expect(r.captures).toHaveLength(2);
    expect(r.connections).toHaveLength(1);
    const c = r.connections[0]!;
    expect(c.handshake.kind).toBe('three_way');
    expect(c.firstFile).toBe(0);
    expect(c.lastFile).toBe(1);
    expect(c.events.every((e) => typeof e.file === 'number')).toBe(true);
  });
});
