/** Writes small classic pcap files for CLI tests (what no sample has: sheer size, corruption). */
import { writeFileSync } from 'node:fs';

function sum16(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  for (let i = start; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if ((end - start) % 2) s += b[end - 1]! << 8;
  return s;
}
function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** One Ethernet/IPv4/TCP frame with correct IP and TCP checksums. */
export function tcpFrame(src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, flags: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 20);
  const dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  dv.setUint16(ip + 2, 40);
  f[ip + 8] = 64;
  f[ip + 9] = 6;
  f.set(src, ip + 12);
  f.set(dst, ip + 16);
  dv.setUint16(ip + 10, fold(sum16(f, ip, ip + 20)));
  const t = ip + 20;
  dv.setUint16(t, sport);
  dv.setUint16(t + 2, dport);
  dv.setUint32(t + 4, seq >>> 0);
  dv.setUint32(t + 8, ack >>> 0);
  f[t + 12] = 5 << 4;
  f[t + 13] = flags;
  dv.setUint16(t + 14, 64240);
  const pseudo = sum16(f, ip + 12, ip + 20) + 6 + 20;
  dv.setUint16(t + 16, fold(sum16(f, t, t + 20, pseudo)));
  return f;
}

export function pcapFile(frames: { sec: number; usec: number; data: Uint8Array }[]): Buffer {
  const parts: Buffer[] = [];
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(65535, 16);
  gh.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(gh);
  for (const fr of frames) {
    const rh = Buffer.alloc(16);
    rh.writeUInt32LE(fr.sec, 0);
    rh.writeUInt32LE(fr.usec, 4);
    rh.writeUInt32LE(fr.data.length, 8);
    rh.writeUInt32LE(fr.data.length, 12);
    parts.push(rh, Buffer.from(fr.data));
  }
  return Buffer.concat(parts);
}

/** `n` unanswered SYNs from distinct client ports: a capture with n connections. */
export function writeManySyns(path: string, n: number): void {
  const frames = [];
  for (let i = 0; i < n; i++) {
    frames.push({ sec: 1_700_000_000 + Math.floor(i / 1000), usec: (i % 1000) * 1000, data: tcpFrame([10, 1, 0, 1], [10, 2, 0, 1], 10000 + (i % 50000), 80, 1000 + i, 0, 0x02) });
  }
  writeFileSync(path, pcapFile(frames));
}

/** A valid pcap whose third record header claims an impossible length (reading stops there). */
export function writeCorrupt(path: string): { goodFrames: number; badOffset: number } {
  const good = [0, 1].map((i) => ({ sec: 1_700_000_000, usec: i * 1000, data: tcpFrame([10, 1, 0, 1], [10, 2, 0, 1], 40000, 80, 1, 0, 0x02) }));
  const head = pcapFile(good);
  const bad = Buffer.alloc(16 + 8);
  bad.writeUInt32LE(1_700_000_000, 0);
  bad.writeUInt32LE(2000, 4);
  bad.writeUInt32LE(0x7fffffff, 8); // captured length far beyond the snap length
  bad.writeUInt32LE(0x7fffffff, 12);
  writeFileSync(path, Buffer.concat([head, bad]));
  return { goodFrames: 2, badOffset: head.length };
}
