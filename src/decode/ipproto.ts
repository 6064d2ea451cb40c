/**
 * IP protocol numbers (IPv4 Protocol / IPv6 Next Header, IANA "Assigned Internet Protocol Numbers")
 * that the IP decoders care about, and what a non-TCP payload is counted as.
 */
import type { SkipReason } from './segment.js';

export const IpProtocol = {
  HopByHop: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPv6: 41,
  Routing: 43,
  Fragment: 44,
  GRE: 47,
  ESP: 50,
  AH: 51,
  ICMPv6: 58,
  NoNextHeader: 59,
  DestinationOptions: 60,
  EtherIP: 97,
  L2TPv3: 115,
  Mobility: 135,
  HIP: 139,
  Shim6: 140,
  MPLSInIP: 137,
} as const;

/**
 * Why a packet whose (final) protocol is not TCP was skipped: 'tunnel' for IP-level encapsulations
 * that may carry TCP inside (IP-in-IP, IPv6-in-IPv4, GRE, EtherIP, L2TPv3, MPLS-in-IP), which
 * tcpshake does not decapsulate, so a user can see that TCP may be hidden there; 'non_tcp' for
 * everything else, UDP included (UDP tunnels such as Teredo, VXLAN or GTP-U are only recognisable
 * by port guesses, and are not decapsulated either).
 */
export function skipReasonForProtocol(protocol: number): SkipReason {
  switch (protocol) {
    case IpProtocol.IPIP:
    case IpProtocol.IPv6:
    case IpProtocol.GRE:
    case IpProtocol.EtherIP:
    case IpProtocol.L2TPv3:
    case IpProtocol.MPLSInIP:
      return 'tunnel';
    default:
      return 'non_tcp';
  }
}
