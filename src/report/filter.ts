/**
 * Connection filters (`--host`, `--port`, `--net`, `--connection`, `--handshake`, `--close`,
 * `--event`): a pure function of the connections. Several values of one option match any of them;
 * different options must all match.
 */
import { EVENT_KINDS, type EventKind } from '../model/events.js';
import type { ConnectionReport } from '../model/report.js';
import type { Endpoint } from '../model/endpoint.js';
import { CLOSE_KINDS, type CloseKind, HANDSHAKE_KINDS, type HandshakeKind } from '../model/vocabulary.js';
import { cidrContains, parseCidr, parseIp, sameBytes, type Cidr } from '../util/ip.js';

export interface ConnectionFilter {
  /** Either endpoint has this address. */
  hosts?: string[];
  /** Either endpoint has this port. */
  ports?: number[];
  /** Either endpoint lies in this network. */
  nets?: Cidr[];
  ids?: number[];
  handshake?: HandshakeKind[];
  close?: CloseKind[];
  /** The connection has at least one event of one of these kinds. */
  events?: EventKind[];
}

/** A filter value the user typed that does not parse; `option` names the flag for the message. */
export class FilterError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}

function has<T>(list: T[] | undefined): list is T[] {
  return list !== undefined && list.length > 0;
}

/** Compiled form: addresses parsed once, not per connection. */
export interface CompiledFilter {
  readonly empty: boolean;
  /** True when the filter can be decided from the endpoints alone (usable on live events). */
  readonly addressOnly: boolean;
  matchesEndpoints(id: number, client: Endpoint, server: Endpoint): boolean;
  matches(connection: ConnectionReport): boolean;
}

export function compileFilter(filter: ConnectionFilter): CompiledFilter {
  const hosts = (filter.hosts ?? []).map((h) => {
    const bytes = parseIp(h);
    if (!bytes) throw new FilterError('host', `not an IP address: ${h}`);
    return bytes;
  });
  const ports = filter.ports ?? [];
  const nets = filter.nets ?? [];
  const ids = filter.ids ?? [];
  const handshake = filter.handshake ?? [];
  const close = filter.close ?? [];
  const events = filter.events ?? [];

  const addressOnly = handshake.length === 0 && close.length === 0 && events.length === 0;
  const empty = addressOnly && hosts.length === 0 && ports.length === 0 && nets.length === 0 && ids.length === 0;

  // Endpoint addresses repeat across connections; remember their parsed bytes.
  const cache = new Map<string, Uint8Array | null>();
  const bytesOf = (ip: string): Uint8Array | null => {
    let b = cache.get(ip);
    if (b === undefined) {
      b = parseIp(ip);
      if (cache.size > 65536) cache.clear();
      cache.set(ip, b);
    }
    return b;
  };

  const matchesEndpoints = (id: number, client: Endpoint, server: Endpoint): boolean => {
    if (ids.length > 0 && !ids.includes(id)) return false;
    if (ports.length > 0 && !ports.includes(client.port) && !ports.includes(server.port)) return false;
    if (hosts.length > 0 || nets.length > 0) {
      const c = bytesOf(client.ip);
      const s = bytesOf(server.ip);
      if (hosts.length > 0) {
        const hit = hosts.some((h) => (c !== null && sameBytes(h, c)) || (s !== null && sameBytes(h, s)));
        if (!hit) return false;
      }
      if (nets.length > 0) {
        const hit = nets.some((n) => (c !== null && cidrContains(n, c)) || (s !== null && cidrContains(n, s)));
        if (!hit) return false;
      }
    }
    return true;
  };

  const matches = (conn: ConnectionReport): boolean => {
    if (!matchesEndpoints(conn.id, conn.client, conn.server)) return false;
    if (handshake.length > 0 && !handshake.includes(conn.handshake.kind)) return false;
    if (close.length > 0 && !close.includes(conn.close.kind)) return false;
    if (events.length > 0 && !conn.events.some((e) => events.includes(e.kind))) return false;
    return true;
  };

  return { empty, addressOnly, matchesEndpoints, matches };
}

/** The connections that pass the filter, in their original order. */
export function filterConnections(connections: readonly ConnectionReport[], filter: ConnectionFilter): ConnectionReport[] {
  const compiled = compileFilter(filter);
  if (compiled.empty) return connections.slice();
  return connections.filter((c) => compiled.matches(c));
}

/**
 * Splits repeatable, comma-separated option values (`--event rst,fin --event syn`) and checks
 * each against a vocabulary. Throws FilterError naming the bad value and listing the valid ones.
 */
export function parseKinds<K extends string>(option: string, values: readonly string[], vocabulary: readonly K[]): K[] {
  const out: K[] = [];
  for (const v of splitList(values)) {
    if (!(vocabulary as readonly string[]).includes(v)) {
      throw new FilterError(option, `unknown --${option} kind "${v}"; expected one of: ${vocabulary.join(', ')}`);
    }
    if (!out.includes(v as K)) out.push(v as K);
  }
  return out;
}

export function splitList(values: readonly (string | number)[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const part of String(v).split(',')) {
      const t = part.trim();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

export function parsePorts(values: readonly (string | number)[]): number[] {
  return splitList(values).map((p) => {
    if (!/^[0-9]{1,5}$/.test(p) || Number(p) > 65535) throw new FilterError('port', `not a port number: ${p}`);
    return Number(p);
  });
}

export function parseNets(values: readonly string[]): Cidr[] {
  return splitList(values).map((n) => {
    const c = parseCidr(n);
    if (!c) throw new FilterError('net', `not an IPv4 or IPv6 network (CIDR): ${n}`);
    return c;
  });
}

export function parseHosts(values: readonly string[]): string[] {
  return splitList(values).map((h) => {
    if (!parseIp(h)) throw new FilterError('host', `not an IP address: ${h}`);
    return h;
  });
}

export function parseIds(values: readonly (string | number)[]): number[] {
  return splitList(values).map((v) => {
    if (!/^[1-9][0-9]*$/.test(v)) throw new FilterError('connection', `not a connection id: ${v}`);
    return Number(v);
  });
}

/** Builds a filter from raw option values, validating everything. */
export function parseFilter(raw: {
  host?: readonly string[];
  port?: readonly (string | number)[];
  net?: readonly string[];
  connection?: readonly (string | number)[];
  handshake?: readonly string[];
  close?: readonly string[];
  event?: readonly string[];
}): ConnectionFilter {
  const f: ConnectionFilter = {};
  if (has(raw.host?.slice())) f.hosts = parseHosts(raw.host!);
  if (has(raw.port?.slice())) f.ports = parsePorts(raw.port!);
  if (has(raw.net?.slice())) f.nets = parseNets(raw.net!);
  if (has(raw.connection?.slice())) f.ids = parseIds(raw.connection!);
  if (has(raw.handshake?.slice())) f.handshake = parseKinds('handshake', raw.handshake!, HANDSHAKE_KINDS);
  if (has(raw.close?.slice())) f.close = parseKinds('close', raw.close!, CLOSE_KINDS);
  if (has(raw.event?.slice())) f.events = parseKinds('event', raw.event!, EVENT_KINDS);
  return f;
}
