/**
 * Makes a capture look as if its traffic had been captured again: what a new run of the same
 * scenario changes and its behaviour does not. Every client gets new ephemeral ports, every
 * direction a new initial sequence number and TCP timestamp clock, and the whole capture a new
 * start time; checksums are computed anew for the new bytes. tcpshake's CI checks the result against
 * the committed expectations (which must hold: they describe behaviour, not ports or ISNs), and
 * with `--four-way-close` a changed teardown (which must fail them).
 *
 * `--four-way-close` rewrites each merged FIN+ACK close (RFC 9293 §3.6, the passive closer's FIN
 * carrying the ACK of the first FIN) into a four-way close: a bare ACK of the first FIN, then the
 * FIN, as a passive closer that waits before close() sends them.
 *
 * Reads and writes classic pcap (microsecond or nanosecond, either byte order) with Ethernet (VLAN
 * tags too), Linux cooked (SLL, SLL2), BSD loopback or raw IP frames; other frames are copied unchanged.
 *
 *   node dist/tools/recapture.js IN.pcap OUT.pcap [--seed N] [--four-way-close]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { checksumVerifies, fold16, pseudoHeaderSum4, pseudoHeaderSum6, sum16 } from '../decode/checksum.js';

export interface RecaptureOptions {
  /** Seed of the new ports, sequence numbers, TCP clocks and start time (the same seed, the same output). */
  seed?: number;
  /** Rewrite every merged FIN+ACK close into a four-way close. */
  fourWayClose?: boolean;
}

export interface RecaptureResult {
  bytes: Uint8Array;
  /** Client endpoints given a new port. */
  clients: number;
  /** Merged FIN+ACK closes rewritten into four-way closes. */
  closesRewritten: number;
}

const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** Linux' default ip_local_port_range, where a new capture's client ports come from. */
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

/** A small deterministic generator (mulberry32), so a seed gives the same capture every time. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Packet {
  /** The record's header (16 bytes) and frame, copied. */
  header: Uint8Array;
  frame: Uint8Array;
  /** Offset of the IP header in the frame, or -1 when the frame is not TCP over IP. */
  ip: number;
  version: 4 | 6;
  tcp: number;
  /** End of the TCP segment, or of the captured bytes when the capture cut it short (snap length). */
  tcpEnd: number;
  /** The capture kept only part of the segment: its checksum cannot be computed, so it is left as it was. */
  truncated: boolean;
  /** End of the TCP segment as sent (past tcpEnd when truncated). */
  segmentEnd: number;
}

interface Pcap {
  littleEndian: boolean;
  nanos: boolean;
  linkType: number;
  fileHeader: Uint8Array;
  packets: Packet[];
}

function readPcap(b: Uint8Array): Pcap {
  if (b.length < 24) throw new Error('not a pcap file: shorter than its 24-byte header');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const magicBE = dv.getUint32(0, false);
  const magics: Record<number, [boolean, boolean]> = { 0xa1b2c3d4: [false, false], 0xd4c3b2a1: [true, false], 0xa1b23c4d: [false, true], 0x4d3cb2a1: [true, true] };
  const m = magics[magicBE];
  if (!m) throw new Error(`not a classic pcap file (magic 0x${magicBE.toString(16)}); pcapng is not rewritten`);
  const [littleEndian, nanos] = m;
  const linkType = dv.getUint32(20, littleEndian) & 0x0fffffff;
  const packets: Packet[] = [];
  let at = 24;
  while (at + 16 <= b.length) {
    const incl = dv.getUint32(at + 8, littleEndian);
    if (at + 16 + incl > b.length) throw new Error(`record at byte offset ${at} runs past the end of the file`);
    const header = b.slice(at, at + 16);
    const frame = b.slice(at + 16, at + 16 + incl);
    packets.push(locateTcp(header, frame, linkType));
    at += 16 + incl;
  }
  return { littleEndian, nanos, linkType, fileHeader: b.slice(0, 24), packets };
}

function ipStart(frame: Uint8Array, linkType: number): number {
  const etherType = (at: number): number => (frame[at]! << 8) | frame[at + 1]!;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      let at = 12;
      // 802.1Q / 802.1ad tags before the EtherType; Cisco FabricPath (0x8903): its FTag/TTL word,
      // then the inner frame's addresses and EtherType.
      for (;;) {
        if (at + 2 > frame.length) return -1;
        const t = etherType(at);
        if (t === 0x8100 || t === 0x88a8) at += 4;
        else if (t === 0x8903) at += 4 + 12;
        else break;
      }
      if (at + 2 > frame.length) return -1;
      const t = etherType(at);
      return t === 0x0800 || t === 0x86dd ? at + 2 : -1;
    }
    case LINKTYPE_LINUX_SLL:
      return frame.length >= 16 && (etherType(14) === 0x0800 || etherType(14) === 0x86dd) ? 16 : -1;
    case LINKTYPE_LINUX_SLL2:
      // The protocol type leads the 20-byte header (tcpdump's LINKTYPE_LINUX_SLL2).
      return frame.length >= 20 && (etherType(0) === 0x0800 || etherType(0) === 0x86dd) ? 20 : -1;
    case LINKTYPE_NULL:
      return frame.length > 4 ? 4 : -1;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return 0;
    default:
      return -1;
  }
}

function locateTcp(header: Uint8Array, frame: Uint8Array, linkType: number): Packet {
  const none: Packet = { header, frame, ip: -1, version: 4, tcp: 0, tcpEnd: 0, truncated: false, segmentEnd: 0 };
  const ip = ipStart(frame, linkType);
  if (ip < 0 || ip >= frame.length) return none;
  const version = frame[ip]! >> 4;
  if (version === 4) {
    const ihl = (frame[ip]! & 0x0f) * 4;
    const total = (frame[ip + 2]! << 8) | frame[ip + 3]!;
    const fragment = ((frame[ip + 6]! & 0x3f) << 8) | frame[ip + 7]!;
    // A fragment's TCP header may be elsewhere: fragments are copied unchanged.
    if (frame[ip + 9] !== 6 || fragment !== 0 || ihl < 20 || total < ihl) return none;
    const end = ip + total;
    return checkTcp({ header, frame, ip, version: 4, tcp: ip + ihl, tcpEnd: Math.min(end, frame.length), truncated: end > frame.length, segmentEnd: end });
  }
  if (version === 6) {
    const payload = (frame[ip + 4]! << 8) | frame[ip + 5]!;
    // Only TCP right after the fixed header; extension headers are copied unchanged.
    if (frame[ip + 6] !== 6) return none;
    const end = ip + 40 + payload;
    return checkTcp({ header, frame, ip, version: 6, tcp: ip + 40, tcpEnd: Math.min(end, frame.length), truncated: end > frame.length, segmentEnd: end });
  }
  return none;
}

function checkTcp(p: Packet): Packet {
  if (p.tcpEnd - p.tcp < 20 || (p.frame[p.tcp + 12]! >> 4) * 4 > p.tcpEnd - p.tcp) return { ...p, ip: -1 };
  return p;
}

function pseudoSum(p: Packet): number {
  const len = p.tcpEnd - p.tcp;
  return p.version === 4 ? pseudoHeaderSum4(p.frame, p.ip, len) : pseudoHeaderSum6(p.frame, p.ip + 8, p.ip + 24, len);
}

function tcpChecksumVerifies(p: Packet): boolean {
  return checksumVerifies(p.frame, p.tcp, p.tcpEnd, pseudoSum(p));
}

function setTcpChecksum(p: Packet): void {
  const f = p.frame;
  f[p.tcp + 16] = 0;
  f[p.tcp + 17] = 0;
  const c = ~fold16(sum16(f, p.tcp, p.tcpEnd, pseudoSum(p))) & 0xffff;
  f[p.tcp + 16] = c >> 8;
  f[p.tcp + 17] = c & 0xff;
}

function setIpv4Checksum(p: Packet): void {
  const f = p.frame;
  const ihl = (f[p.ip]! & 0x0f) * 4;
  f[p.ip + 10] = 0;
  f[p.ip + 11] = 0;
  const c = ~fold16(sum16(f, p.ip, p.ip + ihl, 0)) & 0xffff;
  f[p.ip + 10] = c >> 8;
  f[p.ip + 11] = c & 0xff;
}

const u16 = (f: Uint8Array, at: number): number => (f[at]! << 8) | f[at + 1]!;
const u32 = (f: Uint8Array, at: number): number => ((f[at]! << 24) | (f[at + 1]! << 16) | (f[at + 2]! << 8) | f[at + 3]!) >>> 0;
function put16(f: Uint8Array, at: number, v: number): void {
  f[at] = (v >>> 8) & 0xff;
  f[at + 1] = v & 0xff;
}
function put32(f: Uint8Array, at: number, v: number): void {
  f[at] = (v >>> 24) & 0xff;
  f[at + 1] = (v >>> 16) & 0xff;
  f[at + 2] = (v >>> 8) & 0xff;
  f[at + 3] = v & 0xff;
}

function addressText(p: Packet, which: 'src' | 'dst'): string {
  const f = p.frame;
  if (p.version === 4) {
    const at = p.ip + (which === 'src' ? 12 : 16);
    return `${f[at]}.${f[at + 1]}.${f[at + 2]}.${f[at + 3]}`;
  }
  const at = p.ip + (which === 'src' ? 8 : 24);
  return Array.from(f.subarray(at, at + 16), (x) => x.toString(16).padStart(2, '0')).join('');
}

const endpointKey = (p: Packet, which: 'src' | 'dst'): string => `${addressText(p, which)}/${u16(p.frame, p.tcp + (which === 'src' ? 0 : 2))}`;

/** The pcap record's timestamp in units of the file's resolution. */
function recordTime(pcap: Pcap, h: Uint8Array): bigint {
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  const scale = pcap.nanos ? 1_000_000_000n : 1_000_000n;
  return BigInt(dv.getUint32(0, pcap.littleEndian)) * scale + BigInt(dv.getUint32(4, pcap.littleEndian));
}

function setRecordTime(pcap: Pcap, h: Uint8Array, t: bigint): void {
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  const scale = pcap.nanos ? 1_000_000_000n : 1_000_000n;
  dv.setUint32(0, Number(t / scale), pcap.littleEndian);
  dv.setUint32(4, Number(t % scale), pcap.littleEndian);
}

function setRecordLengths(pcap: Pcap, h: Uint8Array, length: number): void {
  const dv = new DataView(h.buffer, h.byteOffset, 16);
  dv.setUint32(8, length, pcap.littleEndian);
  dv.setUint32(12, length, pcap.littleEndian);
}

/** Rewrites a capture as a new capture of the same traffic would show it. Pure: bytes in, bytes out. */
export function recapture(input: Uint8Array, options: RecaptureOptions = {}): RecaptureResult {
  // A plain Uint8Array: a Buffer's slice() would share memory where a copy is meant.
  const pcap = readPcap(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  const rand = random(options.seed ?? 1);
  const tcp = pcap.packets.filter((p) => p.ip >= 0);

  // Clients: the sender of a SYN without ACK (RFC 9293 §3.5); for a connection whose handshake the
  // capture missed, the endpoint with the higher port (an ephemeral port is above the service's).
  const servers = new Set<string>();
  const clients = new Set<string>();
  for (const p of tcp) {
    if ((p.frame[p.tcp + 13]! & (SYN | ACK)) === SYN) {
      clients.add(endpointKey(p, 'src'));
      servers.add(endpointKey(p, 'dst'));
    }
  }
  for (const p of tcp) {
    const src = endpointKey(p, 'src');
    const dst = endpointKey(p, 'dst');
    if (clients.has(src) || clients.has(dst) || servers.has(src) || servers.has(dst)) continue;
    const higher = u16(p.frame, p.tcp) > u16(p.frame, p.tcp + 2) ? src : dst;
    clients.add(higher);
    servers.add(higher === src ? dst : src);
  }
  const serverPorts = new Set([...servers].map((k) => Number(k.slice(k.lastIndexOf('/') + 1))));

  // New client ports: consecutive from a random place in the ephemeral range, as Linux hands them out.
  const newPort = new Map<string, number>();
  let next = EPHEMERAL_LOW + Math.floor(rand() * (EPHEMERAL_HIGH - EPHEMERAL_LOW));
  for (const p of tcp) {
    for (const which of ['src', 'dst'] as const) {
      const k = endpointKey(p, which);
      if (!clients.has(k) || newPort.has(k)) continue;
      do next = next >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : next + 1;
      while (serverPorts.has(next));
      newPort.set(k, next);
    }
  }

  // One sequence-number offset and one TCP-timestamp clock offset per direction of a 4-tuple:
  // a 4-tuple reused after TIME_WAIT keeps its new ISN above the old sequence space, as it was.
  const seqOffset = new Map<string, number>();
  const clockOffset = new Map<string, number>();
  const offsetOf = (map: Map<string, number>, key: string): number => {
    let v = map.get(key);
    if (v === undefined) {
      v = Math.floor(rand() * 4294967296) >>> 0;
      map.set(key, v);
    }
    return v;
  };
  // Shifted by whole days plus a random part of a second: a different run, the same pace.
  const unitsPerSecond = pcap.nanos ? 1_000_000_000n : 1_000_000n;
  const shift = BigInt(1 + Math.floor(rand() * 30)) * 86_400n * unitsPerSecond + BigInt(Math.floor(rand() * Number(unitsPerSecond)));

  const out: Packet[] = [];
  let closesRewritten = 0;
  // Per direction, the sequence number right after a FIN it sent (original numbering), and the
  // directions whose FIN the peer has acknowledged already.
  const finEnd = new Map<string, number>();
  const finAcked = new Set<string>();
  for (let i = 0; i < pcap.packets.length; i++) {
    const p = pcap.packets[i]!;
    setRecordTime(pcap, p.header, recordTime(pcap, p.header) + shift);
    if (p.ip < 0) {
      out.push(p);
      continue;
    }
    const f = p.frame;
    const src = endpointKey(p, 'src');
    const dst = endpointKey(p, 'dst');
    const dir = `${src}>${dst}`;
    const back = `${dst}>${src}`;
    const flags = f[p.tcp + 13]!;
    const seq = u32(f, p.tcp + 4);
    const ack = u32(f, p.tcp + 8);
    const payload = p.segmentEnd - p.tcp - (f[p.tcp + 12]! >> 4) * 4;
    const verified = !p.truncated && tcpChecksumVerifies(p);

    // The passive closer's FIN acknowledging the first FIN in the same segment: split it.
    // Only when this FIN is the first acknowledgement of the peer's FIN: an ACK of its own before
    // it makes the close four-way already.
    const peerFinEnd = finEnd.get(back);
    const merged =
      options.fourWayClose === true &&
      !p.truncated &&
      (flags & (FIN | ACK | SYN | RST)) === (FIN | ACK) &&
      peerFinEnd === ack &&
      !finAcked.has(back) &&
      !finEnd.has(dir);
    if (flags & FIN) finEnd.set(dir, (seq + payload + 1) >>> 0);
    if (flags & ACK && peerFinEnd !== undefined && ack === peerFinEnd) finAcked.add(back);

    rewriteTcp(p, src, dst, dir, back, newPort, seqOffset, clockOffset, offsetOf);
    if (verified) setTcpChecksum(p);

    if (merged) {
      closesRewritten++;
      const bareAck = bareAckOf(pcap, p);
      out.push(bareAck);
      // The FIN follows its ACK before the next frame of the capture (or 1 ms later at the end).
      const now = recordTime(pcap, p.header);
      const following = pcap.packets[i + 1];
      const gap = following ? recordTime(pcap, following.header) - (now - shift) : unitsPerSecond / 1000n;
      setRecordTime(pcap, p.header, now + (gap > 1n ? gap / 2n : 0n));
      if (p.version === 4) {
        put16(f, p.ip + 4, (u16(f, p.ip + 4) + 1) & 0xffff);
        setIpv4Checksum(p);
      }
    }
    out.push(p);
  }

  const size = 24 + out.reduce((n, p) => n + 16 + p.frame.length, 0);
  const bytes = new Uint8Array(size);
  bytes.set(pcap.fileHeader, 0);
  let at = 24;
  for (const p of out) {
    bytes.set(p.header, at);
    bytes.set(p.frame, at + 16);
    at += 16 + p.frame.length;
  }
  return { bytes, clients: newPort.size, closesRewritten };
}

function rewriteTcp(
  p: Packet,
  src: string,
  dst: string,
  dir: string,
  back: string,
  newPort: Map<string, number>,
  seqOffset: Map<string, number>,
  clockOffset: Map<string, number>,
  offsetOf: (map: Map<string, number>, key: string) => number,
): void {
  const f = p.frame;
  const srcPort = newPort.get(src);
  const dstPort = newPort.get(dst);
  if (srcPort !== undefined) put16(f, p.tcp, srcPort);
  if (dstPort !== undefined) put16(f, p.tcp + 2, dstPort);
  const flags = f[p.tcp + 13]!;
  const mine = offsetOf(seqOffset, dir);
  const theirs = offsetOf(seqOffset, back);
  put32(f, p.tcp + 4, (u32(f, p.tcp + 4) + mine) >>> 0);
  // An ACK number means something only with ACK set (RFC 9293 §3.1); a RST of a refused SYN carries one too.
  if (flags & ACK) put32(f, p.tcp + 8, (u32(f, p.tcp + 8) + theirs) >>> 0);

  // Options: SACK blocks number the peer's bytes (RFC 2018); timestamps are per-host clocks (RFC 7323).
  const end = p.tcp + (f[p.tcp + 12]! >> 4) * 4;
  let o = p.tcp + 20;
  while (o < end) {
    const kind = f[o]!;
    if (kind === 0) break;
    if (kind === 1) {
      o++;
      continue;
    }
    const len = f[o + 1] ?? 0;
    if (len < 2 || o + len > end) break;
    if (kind === 5) {
      for (let b = o + 2; b + 8 <= o + len; b += 8) {
        put32(f, b, (u32(f, b) + theirs) >>> 0);
        put32(f, b + 4, (u32(f, b + 4) + theirs) >>> 0);
      }
    } else if (kind === 8 && len === 10) {
      put32(f, o + 2, (u32(f, o + 2) + offsetOf(clockOffset, dir)) >>> 0);
      // A zero echo is "nothing to echo yet" (the SYN's), not a time.
      const ecr = u32(f, o + 6);
      if (ecr !== 0) put32(f, o + 6, (ecr + offsetOf(clockOffset, back)) >>> 0);
    }
    o += len;
  }
}

/** A copy of the segment with ACK alone and no payload: the passive closer's ACK of the first FIN. */
function bareAckOf(pcap: Pcap, p: Packet): Packet {
  const headerEnd = p.tcp + (p.frame[p.tcp + 12]! >> 4) * 4;
  const frame = p.frame.slice(0, headerEnd);
  const header = p.header.slice();
  setRecordLengths(pcap, header, frame.length);
  const q: Packet = { ...p, header, frame, tcpEnd: headerEnd, segmentEnd: headerEnd };
  frame[p.tcp + 13] = frame[p.tcp + 13]! & ~(FIN | PSH);
  if (p.version === 4) {
    put16(frame, p.ip + 2, headerEnd - p.ip);
    setIpv4Checksum(q);
  } else {
    put16(frame, p.ip + 4, headerEnd - p.ip - 40);
  }
  setTcpChecksum(q);
  return q;
}

function main(argv: readonly string[]): number {
  const files: string[] = [];
  let seed = 1;
  let fourWayClose = false;
  let bad = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--four-way-close') fourWayClose = true;
    else if (a.startsWith('--')) bad = true;
    else files.push(a);
  }
  if (bad || files.length !== 2 || !Number.isInteger(seed)) {
    process.stderr.write('usage: node dist/tools/recapture.js IN.pcap OUT.pcap [--seed N] [--four-way-close]\n');
    return 2;
  }
  const [input, output] = files as [string, string];
  try {
    const r = recapture(readFileSync(input), { seed, fourWayClose });
    writeFileSync(output, r.bytes);
    process.stderr.write(`recapture: ${output}: ${r.clients} client port(s) moved${fourWayClose ? `, ${r.closesRewritten} merged FIN+ACK close(s) made four-way` : ''}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`recapture: ${input}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 3;
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) process.exitCode = main(process.argv.slice(2));
