/**
 * A minimal little-endian pcapng writer for tests (draft-ietf-opsawg-pcapng: SHB 0x0A0D0D0A,
 * IDB 0x00000001, EPB 0x00000006; options as code/length/value padded to 32 bits, ended by
 * opt_endofopt), and an Ethernet/IPv4/TCP packet builder with correct checksums.
 */

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Options: [code, text] pairs (opt_comment = 1, if_name = 2, if_description = 3). */
function options(opts: [number, string][]): Buffer {
  if (opts.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, text] of opts) {
    const v = Buffer.from(text, 'utf8');
    const h = Buffer.alloc(4);
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(v.length, 2);
    parts.push(h, v, Buffer.alloc(pad4(v.length)));
  }
  parts.push(Buffer.alloc(4)); // opt_endofopt
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const len = 12 + body.length + pad4(body.length);
  const b = Buffer.alloc(len);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(len, 4);
  body.copy(b, 8);
  b.writeUInt32LE(len, len - 4);
  return b;
}

export function shb(opts: [number, string][] = []): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(0x1a2b3c4d, 0);
  h.writeUInt16LE(1, 4);
  h.writeUInt16LE(0, 6);
  h.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, Buffer.concat([h, options(opts)]));
}

export function idb(linkType: number, opts: [number, string][] = []): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(linkType, 0);
  h.writeUInt32LE(65535, 4);
  return block(0x00000001, Buffer.concat([h, options(opts)]));
}

/** Enhanced Packet Block; timestamp in microseconds (the default if_tsresol). */
export function epb(timeUs: bigint, data: Buffer, opts: [number, string][] = []): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt32LE(0, 0);
  h.writeUInt32LE(Number(timeUs >> 32n), 4);
  h.writeUInt32LE(Number(timeUs & 0xffffffffn), 8);
  h.writeUInt32LE(data.length, 12);
  h.writeUInt32LE(data.length, 16);
  return block(0x00000006, Buffer.concat([h, data, Buffer.alloc(pad4(data.length)), options(opts)]));
}

function sum16(b: Buffer, initial = 0): number {
  let s = initial;
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i);
  if (b.length % 2) s += b[b.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

export interface TcpSpec {
  src: [number, number, number, number];
  dst: [number, number, number, number];
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** TCP flag bits: FIN 1, SYN 2, RST 4, PSH 8, ACK 16. */
  flags: number;
  payload?: Buffer;
}

/** Ethernet II + IPv4 + TCP (no options), checksums filled in. */
export function tcpPacket(s: TcpSpec): Buffer {
  const payload = s.payload ?? Buffer.alloc(0);
  const eth = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]);
  const tcp = Buffer.alloc(20 + payload.length);
  tcp.writeUInt16BE(s.sport, 0);
  tcp.writeUInt16BE(s.dport, 2);
  tcp.writeUInt32BE(s.seq >>> 0, 4);
  tcp.writeUInt32BE(s.ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = s.flags;
  tcp.writeUInt16BE(64240, 14);
  payload.copy(tcp, 20);
  const pseudo = Buffer.alloc(12);
  Buffer.from(s.src).copy(pseudo, 0);
  Buffer.from(s.dst).copy(pseudo, 4);
  pseudo[9] = 6;
  pseudo.writeUInt16BE(tcp.length, 10);
  tcp.writeUInt16BE(~sum16(tcp, sum16(pseudo)) & 0xffff, 16);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcp.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  Buffer.from(s.src).copy(ip, 12);
  Buffer.from(s.dst).copy(ip, 16);
  ip.writeUInt16BE(~sum16(ip) & 0xffff, 10);
  return Buffer.concat([eth, ip, tcp]);
}
