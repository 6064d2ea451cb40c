/**
 * Endpoint patterns of selectors: "ip:port", "ip", ":port", "[v6]:port", "[v6]" or a bare IPv6
 * address; a port may be a range, "ip:32768-65535", for a server whose port the system picks (FTP
 * passive data connections). Addresses are compared in a canonical form so "fd99::1" matches
 * "fd99:0:0::1".
 */
import { parseIPv4, parseIPv6 } from '../util/ip.js';

export interface EndpointPattern {
  /** Canonical address, or null for "any address". */
  ip: string | null;
  /** The port, or the first of a range. */
  port: number | null;
  /** The last port of a range ("32768-65535"); absent for one port. */
  portMax?: number;
  /** As written in the file. */
  text: string;
}

function canonicalIpv4(s: string): string | null {
  const b = parseIPv4(s);
  return b === null ? null : b.join('.');
}

/** Eight 16-bit groups as lowercase hex without leading zeros, joined by ':' (no "::" compression). */
function canonicalIpv6(s: string): string | null {
  const b = parseIPv6(s);
  if (b === null) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}

/** Canonical form of an IPv4 or IPv6 address, or null when it is neither. */
export function canonicalIp(s: string): string | null {
  return s.includes(':') ? canonicalIpv6(s) : canonicalIpv4(s);
}

const cache = new Map<string, string>();
/** Canonical form of an address from a report (falls back to the text itself). */
export function reportIp(s: string): string {
  let c = cache.get(s);
  if (c === undefined) {
    c = canonicalIp(s) ?? s;
    if (cache.size > 100_000) cache.clear();
    cache.set(s, c);
  }
  return c;
}

function parseOnePort(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** A port, or a range of ports "low-high". */
function parsePort(s: string): { port: number; portMax?: number } | null {
  const dash = s.indexOf('-');
  if (dash < 0) {
    const port = parseOnePort(s);
    return port === null ? null : { port };
  }
  const low = parseOnePort(s.slice(0, dash));
  const high = parseOnePort(s.slice(dash + 1));
  return low === null || high === null || low > high ? null : { port: low, portMax: high };
}

/** Parses an endpoint pattern; returns an error message when it is not one. */
export function parseEndpointPattern(text: string): EndpointPattern | string {
  const t = text.trim();
  const bad = `"${text}" is not an endpoint: write "ip:port", "ip", ":port" or "[ipv6]:port"`;
  if (t === '') return bad;
  if (t.startsWith(':') && !t.startsWith('::')) {
    const port = parsePort(t.slice(1));
    return port === null ? `bad port in "${text}"` : { ip: null, ...port, text };
  }
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return bad;
    const ip = canonicalIpv6(t.slice(1, close));
    if (ip === null) return `bad IPv6 address in "${text}"`;
    const rest = t.slice(close + 1);
    if (rest === '') return { ip, port: null, text };
    if (!rest.startsWith(':')) return bad;
    const port = parsePort(rest.slice(1));
    return port === null ? `bad port in "${text}"` : { ip, ...port, text };
  }
  const colons = t.split(':').length - 1;
  if (colons >= 2) {
    // A bare IPv6 address: no port can be given without brackets.
    const ip = canonicalIpv6(t);
    return ip === null ? `bad IPv6 address in "${text}" (write "[addr]:port" to give a port)` : { ip, port: null, text };
  }
  if (colons === 1) {
    const [host, portText] = t.split(':') as [string, string];
    const ip = canonicalIpv4(host);
    if (ip === null) return `bad IPv4 address in "${text}"`;
    const port = parsePort(portText);
    return port === null ? `bad port in "${text}"` : { ip, ...port, text };
  }
  const ip = canonicalIpv4(t);
  return ip === null ? bad : { ip, port: null, text };
}

export function matchesEndpoint(p: EndpointPattern, e: { ip: string; port: number }): boolean {
  if (p.port !== null && (p.portMax === undefined ? p.port !== e.port : e.port < p.port || e.port > p.portMax)) return false;
  if (p.ip !== null && p.ip !== reportIp(e.ip)) return false;
  return true;
}

