/**
 * Types for the untyped npm package `pcap-parser` (0.2.x), covering only what tcpshake uses.
 * The parser reads classic microsecond pcap only; `src/capture/pcap.ts` adapts the rest.
 */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';

  export interface PcapGlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    gmtOffset: number;
    timestampAccuracy: number;
    snapshotLength: number;
    linkLayerType: number;
  }

  export interface PcapPacketHeader {
    timestampSeconds: number;
    /** Microseconds for a microsecond file (tcpshake also feeds it nanosecond files: then nanoseconds). */
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }

  export interface PcapPacket {
    header: PcapPacketHeader;
    data: Buffer;
  }

  /** Anything with `on('data'|'error'|'end')`, `pause()` and `resume()`. */
  export interface PcapInputStream extends EventEmitter {
    pause(): unknown;
    resume(): unknown;
  }

  export interface PcapParser extends EventEmitter {
    on(event: 'globalHeader', listener: (header: PcapGlobalHeader) => void): this;
    on(event: 'packet', listener: (packet: PcapPacket) => void): this;
    on(event: 'end', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }

  export function parse(input: string | PcapInputStream): PcapParser;
  const pcapParser: { parse: typeof parse };
  export default pcapParser;
}
