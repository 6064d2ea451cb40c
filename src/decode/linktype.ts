/**
 * Link type (the LINKTYPE_* value of the pcap header or pcapng interface) → decoder.
 */
import { decodeArcnetBsd, decodeArcnetLinux } from './arcnet.js';
import { decodeCiscoHdlc, decodeEthernet } from './ethernet.js';
import type { LayerDecoder } from './ethertype.js';
import { decodeIeee80211, decodePpi, decodeRadiotap } from './ieee80211.js';
import { decodeIpoib } from './ipoib.js';
import { decodeIPv4 } from './ipv4.js';
import { decodeIPv6 } from './ipv6.js';
import { decodeLoop, decodeNull } from './loopback.js';
import { decodeNflog } from './nflog.js';
import { decodePktap } from './pktap.js';
import { decodePpp, decodePppoeSession } from './pppoe.js';
import { decodeRawIp } from './rawip.js';
import { decodeSll, decodeSll2 } from './sll.js';

/** The LINKTYPE_* values tcpshake decodes (tcpdump.org "Link-layer header types"). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  ARCNET_BSD: 7,
  PPP: 9,
  /** DLT_RAW as most platforms define it, found in files written by old libpcaps. */
  RAW_DLT12: 12,
  /** DLT_RAW as OpenBSD defines it. */
  RAW_DLT14: 14,
  PPP_HDLC: 50,
  /** PPPoE header without Ethernet. */
  PPP_ETHER: 51,
  RAW: 101,
  C_HDLC: 104,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  ARCNET_LINUX: 129,
  /** What macOS writes for its PKTAP captures (DLT_PKTAP is 149 on Darwin). */
  USER2: 149,
  PPI: 192,
  IPV4: 228,
  NFLOG: 239,
  IPOIB: 242,
  PKTAP: 258,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const LINK_TYPE_DECODERS: ReadonlyMap<number, LayerDecoder> = new Map<number, LayerDecoder>([
  [LinkType.NULL, decodeNull],
  [LinkType.ETHERNET, decodeEthernet],
  [LinkType.PPP, decodePpp],
  [LinkType.RAW_DLT12, decodeRawIp],
  [LinkType.RAW_DLT14, decodeRawIp],
  [LinkType.PPP_HDLC, decodePpp],
  [LinkType.PPP_ETHER, decodePppoeSession],
  [LinkType.RAW, decodeRawIp],
  [LinkType.C_HDLC, decodeCiscoHdlc],
  [LinkType.LOOP, decodeLoop],
  [LinkType.LINUX_SLL, decodeSll],
  [LinkType.IPV4, decodeIPv4],
  [LinkType.IPV6, decodeIPv6],
  [LinkType.LINUX_SLL2, decodeSll2],
  [LinkType.ARCNET_BSD, decodeArcnetBsd],
  [LinkType.IEEE802_11, decodeIeee80211],
  [LinkType.IEEE802_11_RADIOTAP, decodeRadiotap],
  [LinkType.ARCNET_LINUX, decodeArcnetLinux],
  [LinkType.USER2, decodePktap],
  [LinkType.PPI, decodePpi],
  [LinkType.NFLOG, decodeNflog],
  [LinkType.IPOIB, decodeIpoib],
  [LinkType.PKTAP, decodePktap],
]);

/** The decoder for a link type, or undefined when tcpshake does not decode it. */
export function linkTypeDecoder(linkType: number): LayerDecoder | undefined {
  return LINK_TYPE_DECODERS.get(linkType);
}
