/**
 * Checksum offload per sending host. A capture taken on a host whose NIC computes TCP checksums
 * (Linux CHECKSUM_PARTIAL, `ethtool -k … tx-checksumming on`) holds every segment that host sent
 * with only the pseudo-header's sum in the checksum field (see Segment.checksumPartial). That is said
 * once per capture and host, not as a `bad_checksum` on every connection.
 */
import type { Segment } from '../decode/segment.js';
import { formatAddress } from '../decode/address.js';
import { word32 } from '../util/bytes.js';

/** Hosts counted per capture at most: a host-side capture has one or two; the rest are summed up. */
export const MAX_OFFLOAD_HOSTS = 16;

export class ChecksumOffloadCount {
  /** IPv4 hosts by address word (no string per segment), IPv6 by address text. */
  private readonly counts = new Map<number | string, number>();
  private other = 0;

  add(seg: Segment): void {
    const key = seg.addrLength === 4 ? word32(seg.bytes, seg.srcOffset) : formatAddress(seg.bytes, seg.srcOffset, seg.addrLength);
    const n = this.counts.get(key);
    if (n !== undefined) this.counts.set(key, n + 1);
    else if (this.counts.size < MAX_OFFLOAD_HOSTS) this.counts.set(key, 1);
    else this.other++;
  }

  /** The hosts and their offloaded segments, most first (`other hosts` sums those past the cap). */
  result(): { host: string; segments: number }[] {
    const out = [...this.counts.entries()].map(([k, segments]) => ({
      host: typeof k === 'number' ? `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}` : k,
      segments,
    }));
    out.sort((x, y) => y.segments - x.segments || (x.host < y.host ? -1 : x.host > y.host ? 1 : 0));
    if (this.other > 0) out.push({ host: 'other hosts', segments: this.other });
    return out;
  }
}
