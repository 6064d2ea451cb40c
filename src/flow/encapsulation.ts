/**
 * A tunnelled connection's `encapsulation` list (model/report.ts), made once when the connection is
 * first seen — from the tunnel layers the decoders recorded for its first segment — and oriented at
 * report time, when the roles are known. Also the Wireshark display filter clauses that pick the
 * connection's own tunnel out of others carrying the same inner 4-tuple.
 */
import { formatAddress } from '../decode/address.js';
import type { Segment } from '../decode/segment.js';
import { TUNNEL_KIND_NAMES, TunnelKind } from '../decode/tunnel.js';
import type { Encapsulation, EncapsulationKind, TunnelEndpoint } from '../model/index.js';

/** The tunnel layers of `seg` as report entries, `outer.client` being the outer source of this segment. */
export function encapsulationOf(seg: Segment): Encapsulation[] {
  const out: Encapsulation[] = [];
  const b = seg.bytes;
  for (let i = 0; i < seg.tunnelDepth; i++) {
    const t = seg.tunnels[i]!;
    const kind = (TUNNEL_KIND_NAMES[t.kind] ?? 'gre') as EncapsulationKind;
    const e: Encapsulation = { kind };
    switch (t.kind) {
      case TunnelKind.vxlan:
      case TunnelKind.geneve:
        e.vni = t.id;
        break;
      case TunnelKind.gre:
        if (t.detail === 0x880b && t.id !== -1) e.callId = t.id;
        else if (t.id !== -1) e.key = t.id;
        e.protocol = t.detail;
        if (t.srcPort !== -1) e.overUdp = true;
        break;
      case TunnelKind.erspan:
        e.erspanType = t.detail as 1 | 2 | 3;
        if (t.id !== -1) e.sessionId = t.id;
        break;
      case TunnelKind.ipip:
        e.ipProtocol = t.detail;
        break;
      case TunnelKind.gtp:
        e.teid = { client: null, server: null };
        break;
      case TunnelKind.pbb:
        e.isid = t.id;
        break;
      default:
        break;
    }
    if (t.addrLength !== 0) {
      const client: TunnelEndpoint = { ip: formatAddress(b, t.srcOffset, t.addrLength) };
      const server: TunnelEndpoint = { ip: formatAddress(b, t.dstOffset, t.addrLength) };
      if (t.srcPort !== -1) {
        client.port = t.srcPort;
        server.port = t.dstPort;
      }
      e.outer = { client, server };
    }
    out.push(e);
  }
  return out;
}

/** The identifier of each tunnel layer of `seg` (-1 where it has none). */
export function tunnelIds(seg: Segment): number[] {
  const ids: number[] = [];
  for (let i = 0; i < seg.tunnelDepth; i++) ids.push(seg.tunnels[i]!.id);
  return ids;
}

type IdField = 'vni' | 'key' | 'callId' | 'sessionId' | 'isid';
const SERVER_FIELD: Readonly<Record<IdField, 'serverVni' | 'serverKey' | 'serverSessionId' | 'serverIsid' | null>> = {
  vni: 'serverVni',
  key: 'serverKey',
  callId: null,
  sessionId: 'serverSessionId',
  isid: 'serverIsid',
};

/**
 * The list for the report: `seen` as the connection's first segment showed it (its sender, A), turned
 * round when A is the server, with each layer's identifier as on the client's and on the server's
 * packets (`idsA` from A's first segment, `idsB` from B's, null when B sent none).
 */
export function orientEncapsulation(seen: Encapsulation[], aIsClient: boolean, idsA: readonly number[], idsB: readonly number[] | null): Encapsulation[] {
  return seen.map((e, i) => {
    const o: Encapsulation = { ...e };
    if (e.outer !== undefined && !aIsClient) o.outer = { client: e.outer.server, server: e.outer.client };
    const a = idsA[i] ?? -1;
    const b = idsB === null ? -1 : (idsB[i] ?? -1);
    const client = aIsClient ? a : b;
    const server = aIsClient ? b : a;
    if (e.teid !== undefined) {
      o.teid = { client: client === -1 ? null : client, server: server === -1 ? null : server };
      return o;
    }
    const field: IdField | undefined =
      e.vni !== undefined ? 'vni' : e.key !== undefined ? 'key' : e.callId !== undefined ? 'callId' : e.sessionId !== undefined ? 'sessionId' : e.isid !== undefined ? 'isid' : undefined;
    if (field === undefined) return o;
    const main = client !== -1 ? client : server;
    if (main !== -1) o[field] = main;
    const serverField = SERVER_FIELD[field];
    if (serverField !== null && client !== -1 && server !== -1 && server !== client) o[serverField] = server;
    return o;
  });
}

/**
 * Display-filter clauses selecting the connection's tunnel (Wireshark matches `ip.addr` at any layer,
 * so the outer addresses and the tunnel's identifier tell two tunnels carrying the same inner 4-tuple
 * apart); '' when there is nothing to add.
 */
export function tunnelDisplayFilter(encapsulation: readonly Encapsulation[] | undefined): string {
  if (encapsulation === undefined) return '';
  const parts: string[] = [];
  for (const e of encapsulation) {
    if (e.outer !== undefined) {
      const f = e.outer.client.ip.includes(':') ? 'ipv6.addr' : 'ip.addr';
      parts.push(`${f}==${e.outer.client.ip}`, `${f}==${e.outer.server.ip}`);
    }
    const either = (field: string, x: number | undefined, y: number | undefined): void => {
      if (x === undefined) return;
      parts.push(y === undefined ? `${field}==${x}` : `(${field}==${x} || ${field}==${y})`);
    };
    either(`${e.kind}.vni`, e.vni, e.serverVni);
    either('gre.key', e.key, e.serverKey);
    either('erspan.spanid', e.sessionId, e.serverSessionId);
    either('ieee8021ah.isid', e.isid, e.serverIsid);
    if (e.teid !== undefined) {
      const teids = [e.teid.client, e.teid.server].filter((t): t is number => t !== null);
      if (teids.length > 0) parts.push(`(${teids.map((t) => `gtp.teid==${t}`).join(' || ')})`);
    }
  }
  return [...new Set(parts)].join(' && ');
}

/** A short text form, outermost first: "vxlan 42 (10.0.0.1 → 10.0.0.2) / gre key 7". */
export function encapsulationText(encapsulation: readonly Encapsulation[]): string {
  return encapsulation
    .map((e) => {
      let s: string = e.overUdp === true ? 'gre-in-udp' : e.kind;
      const pair = (x: number, y: number | undefined): string => (y === undefined ? `${x}` : `${x}/${y}`);
      if (e.vni !== undefined) s += ` vni ${pair(e.vni, e.serverVni)}`;
      if (e.key !== undefined) s += ` key ${pair(e.key, e.serverKey)}`;
      if (e.callId !== undefined) s += ` call ${e.callId}`;
      if (e.sessionId !== undefined) s += ` session ${pair(e.sessionId, e.serverSessionId)}`;
      if (e.erspanType !== undefined) s += ` type ${e.erspanType === 1 ? 'I' : e.erspanType === 2 ? 'II' : 'III'}`;
      if (e.isid !== undefined) s += ` i-sid ${pair(e.isid, e.serverIsid)}`;
      if (e.teid !== undefined) s += ` teid ${e.teid.client ?? '?'}/${e.teid.server ?? '?'}`;
      if (e.outer !== undefined) s += ` (${e.outer.client.ip} → ${e.outer.server.ip})`;
      return s;
    })
    .join(' / ');
}
