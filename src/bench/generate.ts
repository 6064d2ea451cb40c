/**
 * Synthetic capture generator for the benchmark: a classic pcap (Ethernet / IPv4 / TCP) holding many
 * interleaved connections with valid sequence numbers, acknowledgments and checksums, in a mix of
 * the behaviours tcpshake reports on (clean closes, merged FIN+ACK closes, server-initiated closes,
 * half-closes, RST aborts, refused and unanswered SYNs, connections left open).
 *
 * Concurrency is bounded by `window`: at any time at most that many connections are in progress, so
 * a longer capture has more connections, not more connections open at once. That holds for the
 * connections left open too: they are the last `window / 2` connections, still open when the capture
 * ends (a connection that stops sending without closing stays open for the rest of any capture, so
 * open ones spread over the whole capture would grow with its length — a connection leak, not the
 * steady load the benchmark stands for). Output is streamed in large buffers; nothing is kept per
 * finished connection.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface GeneratorOptions {
  /** Number of connections. */
  connections: number;
  /** Request/response exchanges per established connection (each exchange is 4 segments). */
  exchanges: number;
  /** Payload bytes of a request (responses are 2× this). */
  payload: number;
  /** Connections in progress at once (interleaving). */
  window: number;
  /** Seed of the deterministic pseudo-random schedule. */
  seed: number;
}

/**
 * `large` is the preset the performance targets are stated for: 200,000 connections (about 3.8 M
 * packets, 470 MB with these parameters).
 */
export const PRESETS: Record<string, GeneratorOptions> = {
  small: { connections: 20_000, exchanges: 4, payload: 100, window: 500, seed: 1 },
  large: { connections: 200_000, exchanges: 4, payload: 100, window: 2_000, seed: 1 },
  /** Four times longer than `large` with the same concurrency: shows that memory stays flat. */
  xlarge: { connections: 800_000, exchanges: 4, payload: 100, window: 2_000, seed: 1 },
};

/** What a connection does; weights give the mix. */
type Behaviour =
  | 'merged_close'
  | 'four_way_close'
  | 'server_close'
  | 'half_close'
  | 'rst_abort'
  | 'refused'
  | 'unanswered'
  | 'left_open';

const MIX: readonly Behaviour[] = [
  'merged_close', 'merged_close', 'merged_close', 'merged_close', 'merged_close', 'merged_close',
  'four_way_close', 'four_way_close', 'four_way_close',
  'server_close', 'server_close',
  'half_close',
  'rst_abort', 'rst_abort',
  'refused',
  'unanswered',
  'merged_close', 'server_close',
  'merged_close', 'four_way_close',
];

const FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

/** One scheduled segment of a connection: direction, flags, payload length. Seq/ack are computed on emit. */
interface Step {
  fromClient: boolean;
  flags: number;
  length: number;
}

interface LiveConnection {
  clientIp: number;
  serverIp: number;
  clientPort: number;
  serverPort: number;
  clientNext: number;
  serverNext: number;
  steps: Step[];
  index: number;
}

/** Deterministic xorshift32. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function stepsFor(behaviour: Behaviour, exchanges: number, payload: number): Step[] {
  const c = (flags: number, length = 0): Step => ({ fromClient: true, flags, length });
  const s = (flags: number, length = 0): Step => ({ fromClient: false, flags, length });
  const handshake = [c(SYN), s(SYN | ACK), c(ACK)];
  const data: Step[] = [];
  for (let i = 0; i < exchanges; i++) {
    data.push(c(PSH | ACK, payload), s(ACK), s(PSH | ACK, payload * 2), c(ACK));
  }
  switch (behaviour) {
    case 'merged_close':
      return [...handshake, ...data, c(FIN | ACK), s(FIN | ACK), c(ACK)];
    case 'four_way_close':
      return [...handshake, ...data, c(FIN | ACK), s(ACK), s(FIN | ACK), c(ACK)];
    case 'server_close':
      return [...handshake, ...data, s(FIN | ACK), c(FIN | ACK), s(ACK)];
    case 'half_close':
      return [...handshake, ...data, c(FIN | ACK), s(ACK), s(PSH | ACK, payload), c(ACK), s(FIN | ACK), c(ACK)];
    case 'rst_abort':
      return [...handshake, ...data.slice(0, 2), c(RST | ACK)];
    case 'refused':
      return [c(SYN), s(RST | ACK)];
    case 'unanswered':
      return [c(SYN), c(SYN), c(SYN)];
    case 'left_open':
      return [...handshake, ...data];
  }
}

/**
 * Writes the capture to `path` and resolves with the number of packets written.
 */
export async function generateCapture(path: string, options: GeneratorOptions): Promise<{ packets: number; bytes: number }> {
  const out = createWriteStream(path);
  const chunkSize = 4 << 20;
  let buf = Buffer.allocUnsafe(chunkSize);
  let pos = 0;
  let packets = 0;
  let bytes = 0;

  const flush = async (): Promise<void> => {
    if (pos === 0) return;
    const full = buf.subarray(0, pos);
    bytes += pos;
    buf = Buffer.allocUnsafe(chunkSize);
    pos = 0;
    if (!out.write(full)) await once(out, 'drain');
  };

  // pcap global header: microsecond magic, v2.4, snaplen 65535, LINKTYPE_ETHERNET.
  buf.writeUInt32LE(0xa1b2c3d4, 0);
  buf.writeUInt16LE(2, 4);
  buf.writeUInt16LE(4, 6);
  buf.writeInt32LE(0, 8);
  buf.writeUInt32LE(0, 12);
  buf.writeUInt32LE(65535, 16);
  buf.writeUInt32LE(1, 20);
  pos = 24;

  const random = rng(options.seed);
  let started = 0;
  let timeUs = 1_700_000_000 * 1_000_000;
  const live: LiveConnection[] = [];

  const start = (): LiveConnection => {
    const n = started++;
    const behaviour: Behaviour = n >= options.connections - Math.floor(options.window / 2) ? 'left_open' : MIX[n % MIX.length]!;
    return {
      // One client address per connection (10.1.0.0 .. 10.127.255.255), servers 10.200.0.1..64.
      clientIp: ((10 << 24) | ((1 + ((n >>> 16) % 127)) << 16) | (n & 0xffff)) >>> 0,
      serverIp: ((10 << 24) | (200 << 16) | (1 + (n % 64))) >>> 0,
      clientPort: 1024 + (n % 60000),
      serverPort: [80, 443, 8080, 5432][n % 4]!,
      clientNext: random(),
      serverNext: random(),
      steps: stepsFor(behaviour, options.exchanges, options.payload),
      index: 0,
    };
  };

  while (live.length < options.window && started < options.connections) live.push(start());

  while (live.length > 0) {
    const slot = random() % live.length;
    const conn = live[slot]!;
    const step = conn.steps[conn.index++]!;
    timeUs += 1 + (random() % 40);

    const frameLength = writePacket(buf, pos + 16, conn, step);
    // Record header.
    buf.writeUInt32LE(Math.floor(timeUs / 1_000_000), pos);
    buf.writeUInt32LE(timeUs % 1_000_000, pos + 4);
    buf.writeUInt32LE(frameLength, pos + 8);
    buf.writeUInt32LE(frameLength, pos + 12);
    pos += 16 + frameLength;
    packets++;
    if (pos > chunkSize - 2048) await flush();

    if (conn.index === conn.steps.length) {
      if (started < options.connections) live[slot] = start();
      else {
        live[slot] = live[live.length - 1]!;
        live.pop();
      }
    }
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { packets, bytes };
}

const SYN_OPTIONS = [
  2, 4, 0x05, 0xb4, // MSS 1460
  4, 2, // SACK permitted
  8, 10, 0, 0, 0, 1, 0, 0, 0, 0, // timestamps
  1, 3, 3, 7, // NOP, window scale 7
];

/** Writes Ethernet/IPv4/TCP at `at`, advances the connection's sequence numbers, returns the frame length. */
function writePacket(buf: Buffer, at: number, conn: LiveConnection, step: Step): number {
  const syn = (step.flags & SYN) !== 0;
  const optionLength = syn ? SYN_OPTIONS.length : 0;
  const tcpLength = 20 + optionLength;
  const ipLength = 20 + tcpLength + step.length;
  const srcIp = step.fromClient ? conn.clientIp : conn.serverIp;
  const dstIp = step.fromClient ? conn.serverIp : conn.clientIp;
  const srcPort = step.fromClient ? conn.clientPort : conn.serverPort;
  const dstPort = step.fromClient ? conn.serverPort : conn.clientPort;
  let seq = step.fromClient ? conn.clientNext : conn.serverNext;
  const ack = step.fromClient ? conn.serverNext : conn.clientNext;
  // A retransmitted SYN reuses the ISN: roll back the one sequence number the first SYN took.
  if (syn && !(step.flags & ACK) && step.fromClient && conn.index > 1) seq = (seq - 1) >>> 0;

  // Ethernet: locally administered MACs derived from the addresses.
  buf.writeUInt16BE(0x0200, at);
  buf.writeUInt32BE(dstIp, at + 2);
  buf.writeUInt16BE(0x0200, at + 6);
  buf.writeUInt32BE(srcIp, at + 8);
  buf.writeUInt16BE(0x0800, at + 12);

  const ip = at + 14;
  buf[ip] = 0x45;
  buf[ip + 1] = 0;
  buf.writeUInt16BE(ipLength, ip + 2);
  buf.writeUInt16BE(0, ip + 4);
  buf.writeUInt16BE(0x4000, ip + 6); // DF
  buf[ip + 8] = 64;
  buf[ip + 9] = 6;
  buf.writeUInt16BE(0, ip + 10);
  buf.writeUInt32BE(srcIp, ip + 12);
  buf.writeUInt32BE(dstIp, ip + 16);
  buf.writeUInt16BE(checksum(buf, ip, 20, 0), ip + 10);

  const tcp = ip + 20;
  buf.writeUInt16BE(srcPort, tcp);
  buf.writeUInt16BE(dstPort, tcp + 2);
  buf.writeUInt32BE(seq, tcp + 4);
  buf.writeUInt32BE(step.flags & ACK ? ack : 0, tcp + 8);
  buf[tcp + 12] = (tcpLength / 4) << 4;
  buf[tcp + 13] = step.flags;
  buf.writeUInt16BE(step.flags & RST ? 0 : 502, tcp + 14);
  buf.writeUInt16BE(0, tcp + 16);
  buf.writeUInt16BE(0, tcp + 18);
  for (let i = 0; i < optionLength; i++) buf[tcp + 20 + i] = SYN_OPTIONS[i]!;
  buf.fill(0x61 + (seq & 15), tcp + tcpLength, tcp + tcpLength + step.length);
  // Pseudo-header sum: addresses, protocol, TCP length (RFC 9293 §3.1).
  const pseudo =
    (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + 6 + tcpLength + step.length;
  buf.writeUInt16BE(checksum(buf, tcp, tcpLength + step.length, pseudo), tcp + 16);

  // SYN and FIN each take one sequence number (RFC 9293 §3.4).
  let consumed = step.length;
  if (step.flags & (SYN | FIN)) consumed += 1;
  if (step.flags & RST) consumed = 0;
  if (syn && !(step.flags & ACK) && step.fromClient && conn.index > 1) consumed = 0;
  if (step.fromClient) conn.clientNext = (conn.clientNext + consumed) >>> 0;
  else conn.serverNext = (conn.serverNext + consumed) >>> 0;
  return 14 + ipLength;
}

function checksum(buf: Buffer, start: number, length: number, initial: number): number {
  let sum = initial;
  const end = start + length - 1;
  let i = start;
  for (; i < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i === end) sum += buf[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
