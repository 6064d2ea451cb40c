/**
 * Fixture builder for tracker tests: two peers with sequence/ack bookkeeping that make Segment
 * objects (smoltcp-style segment templates) and feed them to a ConnectionManager.
 */
import { newSegment, TcpFlag, type Segment, type TcpOptions } from '../../src/decode/segment.js';
import { ConnectionManager, type ConnectionManagerOptions } from '../../src/flow/manager.js';
import type { EventKind } from '../../src/model/events.js';
import type { ConnectionReport } from '../../src/model/report.js';
import type { ConnectionTracker } from '../../src/tracker/connection.js';

export const F = TcpFlag;

export interface SegOpts {
  seq?: number;
  ack?: number | false;
  len?: number;
  window?: number;
  /** Absolute capture time (seconds). */
  at?: number;
  /** Seconds after the previous segment (default: conversation step). */
  dt?: number;
  options?: Partial<TcpOptions>;
  flags?: number;
  checksumOk?: boolean | null;
  /** Do not feed it (build only). */
  feed?: boolean;
  /** Do not advance the sender's next sequence number. */
  noAdvance?: boolean;
  /** IPv4 identification (default: the peer's counter, one per segment, as stacks do; −1 over IPv6). */
  ipId?: number;
}

function parseEndpoint(s: string): { addr: Uint8Array; port: number; v6: boolean } {
  const i = s.lastIndexOf(':');
  const host = s.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(s.slice(i + 1));
  if (host.includes(':')) {
    const addr = new Uint8Array(16);
    const [l, r] = host.split('::') as [string, string | undefined];
    const lg = l === '' ? [] : l.split(':');
    const rg = r === undefined || r === '' ? [] : r.split(':');
    const groups = [...lg, ...new Array(8 - lg.length - rg.length).fill('0'), ...rg];
    groups.forEach((g, k) => {
      const n = parseInt(g, 16);
      addr[2 * k] = n >> 8;
      addr[2 * k + 1] = n & 0xff;
    });
    return { addr, port, v6: true };
  }
  return { addr: new Uint8Array(host.split('.').map(Number)), port, v6: false };
}

export class Peer {
  nxt: number;
  /** Next IPv4 identification this peer gives a datagram. */
  nextIpId = 1;
  constructor(
    readonly conv: Conv,
    readonly name: 'client' | 'server',
    readonly addr: Uint8Array,
    readonly port: number,
    public isn: number,
  ) {
    this.nxt = isn;
  }

  get peer(): Peer {
    return this.name === 'client' ? this.conv.server : this.conv.client;
  }

  send(flags: number, o: SegOpts = {}): Segment {
    const c = this.conv;
    const len = o.len ?? 0;
    const seq = (o.seq ?? this.nxt) >>> 0;
    const withAck = (flags & F.ACK) !== 0;
    const ack = o.ack === false || !withAck ? 0 : ((o.ack ?? this.peer.nxt) >>> 0);
    const s = newSegment();
    const n = this.addr.length;
    const bytes = new Uint8Array(40);
    bytes.set(this.addr, 0);
    bytes.set(this.peer.addr, 16);
    s.bytes = bytes;
    s.srcOffset = 0;
    s.dstOffset = 16;
    s.addrLength = n;
    s.ipVersion = n === 16 ? 6 : 4;
    s.ipId = o.ipId ?? (n === 16 ? -1 : this.nextIpId++ & 0xffff);
    s.srcPort = this.port;
    s.dstPort = this.peer.port;
    s.seq = seq;
    s.ack = ack;
    s.flags = o.flags ?? flags;
    s.window = o.window ?? 65535;
    s.payloadLength = len;
    s.capturedPayload = len;
    s.ipLength = (n === 16 ? 40 : 20) + 20 + len;
    s.checksumOk = o.checksumOk === undefined ? true : o.checksumOk;
    if (o.options) Object.assign(s.options, o.options);
    c.time = o.at ?? c.time + (o.dt ?? c.step);
    s.tsSec = Math.floor(c.time);
    s.tsNsec = Math.round((c.time - s.tsSec) * 1e9);
    s.frame = ++c.frame;
    if (!o.noAdvance) {
      const end = (seq + len + ((s.flags & F.SYN) !== 0 ? 1 : 0) + ((s.flags & F.FIN) !== 0 ? 1 : 0)) >>> 0;
      if (((end - this.nxt) | 0) > 0) this.nxt = end;
    }
    if (o.feed !== false) c.feed(s);
    return s;
  }

  syn(o: SegOpts = {}): Segment {
    return this.send(F.SYN, { seq: this.isn, ...o });
  }
  synAck(o: SegOpts = {}): Segment {
    return this.send(F.SYN | F.ACK, { seq: this.isn, ...o });
  }
  ack(o: SegOpts = {}): Segment {
    return this.send(F.ACK, o);
  }
  data(len: number, o: SegOpts = {}): Segment {
    return this.send(F.ACK | F.PSH, { len, ...o });
  }
  fin(o: SegOpts = {}): Segment {
    return this.send(F.FIN | F.ACK, o);
  }
  rst(o: SegOpts = {}): Segment {
    return this.send(o.ack === undefined || o.ack === false ? F.RST : F.RST | F.ACK, o);
  }
  rstAck(o: SegOpts = {}): Segment {
    return this.send(F.RST | F.ACK, o);
  }
}

export interface ConvOptions extends Partial<Omit<ConnectionManagerOptions, 'onConnection'>> {
  client?: string;
  server?: string;
  clientIsn?: number;
  serverIsn?: number;
  start?: number;
  step?: number;
}

export class Conv {
  readonly client: Peer;
  readonly server: Peer;
  readonly manager: ConnectionManager;
  readonly reports: ConnectionReport[] = [];
  frame = 0;
  time: number;
  step: number;

  constructor(o: ConvOptions = {}) {
    const c = parseEndpoint(o.client ?? '10.0.0.1:40000');
    const s = parseEndpoint(o.server ?? '10.0.0.2:80');
    this.client = new Peer(this, 'client', c.addr, c.port, o.clientIsn ?? 1000);
    this.server = new Peer(this, 'server', s.addr, s.port, o.serverIsn ?? 5000);
    this.time = o.start ?? 1_700_000_000;
    this.step = o.step ?? 0.001;
    const { client: _c, server: _s, clientIsn: _ci, serverIsn: _si, start: _st, step: _sp, ...mo } = o;
    this.manager = new ConnectionManager({ ...mo, onConnection: (r) => this.reports.push(r) });
  }

  feed(s: Segment): void {
    this.manager.onSegment(s);
  }

  /** The live tracker with the highest id. */
  tracker(): ConnectionTracker {
    const all = this.manager.liveTrackers();
    if (all.length === 0) throw new Error('no live connection');
    return all.reduce((x, y) => (y.id > x.id ? y : x));
  }

  states(): { client: string; server: string } {
    const t = this.tracker();
    return { client: t.client.state, server: t.server.state };
  }

  /** Move the capture clock to `at` with an unrelated connection's SYN (does not advance frames of ours). */
  tick(at: number): void {
    const s = newSegment();
    const bytes = new Uint8Array(40);
    bytes.set([192, 0, 2, 99], 0);
    bytes.set([192, 0, 2, 98], 16);
    s.bytes = bytes;
    s.dstOffset = 16;
    s.srcPort = 9;
    s.dstPort = 9;
    s.flags = F.SYN;
    s.seq = 1;
    s.tsSec = Math.floor(at);
    s.tsNsec = Math.round((at - s.tsSec) * 1e9);
    s.frame = ++this.frame;
    this.time = at;
    this.feed(s);
  }

  /** SYN, SYN-ACK, ACK. */
  handshake(): void {
    this.client.syn();
    this.server.synAck();
    this.client.ack();
  }

  /** Finish the run and return the reports sorted by id. */
  finish(): ConnectionReport[] {
    this.manager.finish();
    return this.reports.slice().sort((a, b) => a.id - b.id);
  }

  /** Finish and return the only (or last) connection. */
  report(): ConnectionReport {
    const r = this.finish();
    return r[r.length - 1]!;
  }
}

export function kinds(r: ConnectionReport): EventKind[] {
  return r.events.map((e) => e.kind);
}

export function stateNames(list: { state: string }[]): string[] {
  return list.map((s) => s.state);
}
