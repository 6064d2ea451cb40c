/**
 * Real frames, captured from the Linux TCP stack (two network namespaces joined by a veth pair,
 * transmit checksum offload off, `tcpdump -i vA`), and checked with `tshark -o tcp.check_checksum:TRUE -V`.
 */
import { hex } from './helpers.js';

/** 10.9.0.1:41474 → 10.9.0.2:8080 SYN, MSS=1460 SACK_PERM TSval=897239776 TSecr=0 WS=1024 (shift 10). */
export const V4_SYN = hex(
  'd61af76640ab6a8b49fa5d7008004500003c8bf2400040069ab50a0900010a090002a2021f9095a0448c00000000a002faf09cdd0000020405b40402080a357acae0000000000103030a',
);

/** 10.9.0.1:41474 → 10.9.0.2:8080 [PSH, ACK] Seq=2510308493 Ack=1098669134 Win=63 Len=5 "hello" (odd TCP length 37). */
export const V4_DATA = hex(
  'd61af76640ab6a8b49fa5d700800450000398bf4400040069ab60a0900010a090002a2021f9095a0448d417c5c4e8018003fa58200000101080a357acae0ef654fbc68656c6c6f',
);

/** The IPv4 packet of V4_DATA without its Ethernet header. */
export const V4_DATA_IP = V4_DATA.slice(14);

/** fd00::1:48142 → fd00::2:8080 SYN, MSS=1440 SACK_PERM TSval=1879069181 WS=1024. */
export const V6_SYN = hex(
  'd61af76640ab6a8b49fa5d7086dd600208a600280640fd000000000000000000000000000001fd000000000000000000000000000002bc0e1f907518985500000000a002fd20a5e10000020405a00402080a700051fd000000000103030a',
);

/** fd00::2:8080 → fd00::1:48142 [PSH, ACK] Seq=1021043420 Ack=1964546139 Len=10 "pong:hello". */
export const V6_DATA = hex(
  '6a8b49fa5d70d61af76640ab86dd600f8d04002a0640fd000000000000000000000000000002fd0000000000000000000000000000011f90bc0e3cdbe2dc7518985b8018003f4c5c00000101080a9371e6b6700051fd706f6e673a68656c6c6f',
);

/** The IPv6 packet of V6_DATA without its Ethernet header. */
export const V6_DATA_IP = V6_DATA.slice(14);
