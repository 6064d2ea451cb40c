/**
 * Checksum offload on a host-side capture: Zeek's localhost-bad-chksum.pcap was taken on
 * 192.168.1.28, whose NIC filled in the TCP checksums of what it sent, so the capture holds only the
 * pseudo-header's sum there (Linux CHECKSUM_PARTIAL). tcpshake says so once per capture and host and
 * raises no bad_checksum; a checksum damaged any other way is still reported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/pipeline/analyze.js';

const PCAP = join('..', 'shared', 'corpus', 'zeek', 'chksums__localhost-bad-chksum.pcap');

/** Offsets of the TCP checksum field of each frame sent by `src` (classic pcap, Ethernet, IPv4). */
function checksumOffsets(bytes: Buffer, src: string): number[] {
  const out: number[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const caplen = bytes.readUInt32LE(at + 8);
    const frame = at + 16;
    const ip = frame + 14;
    const from = [...bytes.subarray(ip + 12, ip + 16)].join('.');
    if (from === src) out.push(ip + (bytes[ip]! & 15) * 4 + 16);
    at = frame + caplen;
  }
  return out;
}

describe.skipIf(!existsSync(PCAP))('checksum offload (CHECKSUM_PARTIAL) on a host-side capture', () => {
  it('is said once for the capture and host, and raises no bad_checksum', async () => {
    const r = await analyze([PCAP]);
    expect(r.captures[0]!.checksumOffload).toEqual([{ host: '192.168.1.28', segments: 6 }]);
    expect(r.connections.flatMap((c) => c.events.map((e) => e.kind))).not.toContain('bad_checksum');
  });

  it('a checksum wrong by anything else is still bad_checksum', async () => {
    const bytes = readFileSync(PCAP);
    const offsets = checksumOffsets(bytes, '192.168.1.28');
    expect(offsets).toHaveLength(6);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt16BE(damaged.readUInt16BE(offsets[2]!) ^ 0x0101, offsets[2]!);
    const r = await analyze([{ name: 'damaged.pcap', stream: Readable.from([damaged]) }]);
    expect(r.captures[0]!.checksumOffload).toEqual([{ host: '192.168.1.28', segments: 5 }]);
    const bad = r.connections.flatMap((c) => c.events).filter((e) => e.kind === 'bad_checksum');
    expect(bad).toHaveLength(1);
  });
});
