/**
 * Damaged captures for the command-line malformed-input suite, built from a real capture: the records
 * of samples/close-by-client.pcap (a Linux TCP handshake, data, and a close) re-written with the
 * capture-layer builders, then broken at a known frame and byte offset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ng, pcapFile, pcapHeader, pcapRecord, type PcapRecord } from '../capture/builders.js';
import { ROOT } from './harness.js';

export const SOURCE_SAMPLE = join(ROOT, 'samples', 'close-by-client.pcap');

/** The records of a little-endian microsecond pcap file, as builder records. */
export function pcapRecords(file: Buffer): PcapRecord[] {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap');
  const out: PcapRecord[] = [];
  let p = 24;
  while (p + 16 <= file.length) {
    const caplen = file.readUInt32LE(p + 8);
    out.push({
      sec: file.readUInt32LE(p),
      frac: file.readUInt32LE(p + 4),
      data: new Uint8Array(file.subarray(p + 16, p + 16 + caplen)),
      origLen: file.readUInt32LE(p + 12),
    });
    p += 16 + caplen;
  }
  return out;
}

/** The sample's records (10: SYN, SYN-ACK, ACK, data exchange, FIN, FIN+ACK, ACK). */
export function sampleRecords(): PcapRecord[] {
  return pcapRecords(readFileSync(SOURCE_SAMPLE));
}

/** Byte offset of record `n` (1-based) in a pcap file made of `records`. */
export function pcapOffset(records: PcapRecord[], n: number): number {
  let p = 24;
  for (let i = 0; i < n - 1; i++) p += 16 + records[i]!.data.length;
  return p;
}

export { pcapFile, pcapHeader, pcapRecord };

/** A little-endian pcapng file: SHB, one Ethernet IDB (µs), one EPB per record; also each block's offset. */
export function pcapngOf(records: PcapRecord[]): { file: Buffer; blocks: Buffer[]; epbOffsets: number[] } {
  const ng = new Ng(true);
  const blocks = [ng.shb(), ng.idb(1, [], 262144)];
  for (const r of records) {
    blocks.push(ng.epb(0, BigInt(r.sec) * 1_000_000n + BigInt(r.frac), r.data, [], r.origLen ?? r.data.length));
  }
  const epbOffsets: number[] = [];
  let p = 0;
  for (let i = 0; i < blocks.length; i++) {
    if (i >= 2) epbOffsets.push(p);
    p += blocks[i]!.length;
  }
  return { file: Buffer.concat(blocks), blocks, epbOffsets };
}

export { Ng };
