/**
 * What the report says about a capture file, named here so the contract does not depend on the capture
 * and decode stages that produce it.
 */

export type CaptureFormat = 'pcap' | 'pcap-nsec' | 'pcapng';

/** A problem with the capture file itself, named by file, frame number and byte offset. */
export interface CaptureWarning {
  file: string;
  /** The frame the problem concerns (the first frame not read, for a corrupt header). */
  frame: number;
  /** Byte offset in the (decompressed) file where the problem was found. */
  offset: number;
  message: string;
}

/**
 * Why a frame did not yield a TCP segment. Counted per capture in `skipped`, never an error.
 */
export type SkipReason =
  | 'unsupported_link_type'
  | 'unsupported_ethertype'
  | 'non_ip'
  | 'non_tcp'
  | 'truncated'
  | 'fragment'
  | 'bad_ip_header'
  | 'bad_tcp_header'
  | 'tunnel'
  /** A wrong IPv4 header or TCP checksum, left out of the analysis with `checksums: 'verify'`. */
  | 'bad_checksum';
