/**
 * A connection's identity includes its tunnel: decoded frames through the flow table and the
 * connection manager.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, newSegment } from '../../src/decode/index.js';
import { ConnectionManager } from '../../src/flow/manager.js';
import { FlowTable, segmentFlowHash } from '../../src/flow/table.js';
import type { ConnectionReport } from '../../src/model/index.js';
import { concat, ethernet, frameOf, ipv4, tcp, u16 } from '../decode/helpers.js';

const CLIENT = [192, 168, 0, 1];
const SERVER = [192, 168, 0, 2];

function inner(fromClient: boolean, flags: number, seq: number, ack: number): Uint8Array {
  const t = tcp({ sport: fromClient ? 40000 : 80, dport: fromClient ? 80 : 40000, flags, seq, ack });
  return ipv4(t, { src: fromClient ? CLIENT : SERVER, dst: fromClient ? SERVER : CLIENT });
}

/** VXLAN between VTEPs 10.0.0.1 (client side) and 10.0.0.2, the VNI of each direction given. */
function vxlan(fromClient: boolean, vni: number, packet: Uint8Array, vteps: [number[], number[]] = [[10, 0, 0, 1], [10, 0, 0, 2]]): Uint8Array {
  const header = [0x08, 0, 0, 0, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0];
  const payload = concat(header, ethernet(0x0800, packet));
  const udp = concat([...u16(fromClient ? 50000 : 50001), ...u16(4789), ...u16(8 + payload.length), 0, 0], payload);
  return ethernet(0x0800, ipv4(udp, { protocol: 17, src: fromClient ? vteps[0] : vteps[1], dst: fromClient ? vteps[1] : vteps[0], noTcpChecksum: true }));
}

/** Three-way handshake frames of one connection through `wrap`. */
function handshake(wrap: (fromClient: boolean, p: Uint8Array) => Uint8Array): Uint8Array[] {
  return [wrap(true, inner(true, 0x002, 100, 0)), wrap(false, inner(false, 0x012, 500, 101)), wrap(true, inner(true, 0x010, 101, 501))];
}

function analyse(frames: Uint8Array[]): ConnectionReport[] {
  const reports: ConnectionReport[] = [];
  const manager = new ConnectionManager({ onConnection: (r) => reports.push(r) });
  const seg = newSegment();
  frames.forEach((f, i) => {
    const frame = { ...frameOf(1, f, f.length, i + 1), tsSec: 1_700_000_000 + i };
    if (decodeFrame(frame, seg) === null) manager.onSegment(seg);
  });
  manager.finish();
  return reports.sort((x, y) => x.id - y.id);
}

describe('tunnel identity', () => {
  it('the same inner 4-tuple in two VNIs is two connections, each with its encapsulation', () => {
    const a = handshake((c, p) => vxlan(c, 42, p));
    const b = handshake((c, p) => vxlan(c, 43, p));
    // Interleaved, both SYNs first: each reply still finds its own connection.
    const reports = analyse([a[0]!, b[0]!, a[1]!, b[1]!, a[2]!, b[2]!]);
    expect(reports).toHaveLength(2);
    for (const [r, vni] of [[reports[0]!, 42], [reports[1]!, 43]] as const) {
      expect(r.handshake.kind).toBe('three_way');
      expect(r.encapsulation).toEqual([{ kind: 'vxlan', vni, outer: { client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '10.0.0.2', port: 4789 } } }]);
      expect(r.displayFilter).toContain(`vxlan.vni==${vni}`);
    }
  });

  it('two outer address pairs are two connections; untunnelled is a third', () => {
    const a = handshake((c, p) => vxlan(c, 42, p));
    const b = handshake((c, p) => vxlan(c, 42, p, [[10, 0, 0, 3], [10, 0, 0, 2]]));
    const plain = handshake((_c, p) => ethernet(0x0800, p));
    const reports = analyse([...a, ...b, ...plain]);
    expect(reports.map((r) => r.handshake.kind)).toEqual(['three_way', 'three_way', 'three_way']);
    expect(reports.map((r) => r.encapsulation?.[0]?.outer?.client.ip ?? null)).toEqual(['10.0.0.1', '10.0.0.3', null]);
  });

  it('a VNI that differs by direction (as OVN sends) is one connection, both VNIs reported', () => {
    const reports = analyse(handshake((c, p) => vxlan(c, c ? 11 : 10, p)));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.handshake.kind).toBe('three_way');
    expect(reports[0]!.encapsulation![0]).toMatchObject({ vni: 11, serverVni: 10 });
  });

  it('the outer endpoints are oriented by the inner client, whoever sent first', () => {
    const frames = handshake((c, p) => vxlan(c, 42, p));
    const reports = analyse([frames[1]!, frames[2]!]);
    expect(reports[0]!.client.ip).toBe('192.168.0.1');
    // Each side's address and port as the first packet (the server's) showed them.
    expect(reports[0]!.encapsulation![0]!.outer).toEqual({ client: { ip: '10.0.0.1', port: 4789 }, server: { ip: '10.0.0.2', port: 50001 } });
  });

  it('the flow hash is the same in both directions of a tunnelled flow and differs from the bare tuple', () => {
    const hs = handshake((c, p) => vxlan(c, 42, p));
    const hash = (f: Uint8Array): number => {
      const s = newSegment();
      expect(decodeFrame(frameOf(1, f), s)).toBeNull();
      return segmentFlowHash(s);
    };
    expect(hash(hs[0]!)).toBe(hash(hs[1]!));
    expect(hash(hs[0]!)).not.toBe(hash(ethernet(0x0800, inner(true, 0x002, 100, 0))));
    const table = new FlowTable<number>();
    const s = newSegment();
    decodeFrame(frameOf(1, hs[0]!), s);
    table.insert(s, 1);
    decodeFrame(frameOf(1, ethernet(0x0800, inner(true, 0x002, 100, 0))), s);
    expect(table.lookup(s)).toBeNull();
  });
});
