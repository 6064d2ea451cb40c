/**
 * Endpoint patterns of selectors: "ip:port", "ip", ":port", "[v6]:port", "[v6]" or a bare IPv6
 * address. Addresses are compared in a canonical form so "fd99::1" matches "fd99:0:0::1".
 */

export interface EndpointPattern {
  /** Canonical address, or null for "any address". */
  ip: string | null;
  port: number | null;
  /** As written in the file. */
  text: string;
}

function canonicalIpv4(s: string): string | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out.join('.');
}

/** Eight 16-bit groups as lowercase hex without leading zeros, joined by ':' (no "::" compression). */
function canonicalIpv6(s: string): string | null {
  let text = s.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  // An embedded IPv4 address in the last 32 bits (RFC 4291 §2.2 form 3).
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = canonicalIpv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    const b = v4.split('.').map(Number) as [number, number, number, number];
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    text = text.slice(0, lastColon + 1) + '0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0] as string);
  const rest = halves.length === 2 ? parseGroups(halves[1] as string) : [];
  if (head === null || rest === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length - (tail.length ? 1 : 0);
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    groups = head;
  }
  if (tail.length) {
    groups.pop(); // the '0' placeholder
    groups.push(...tail);
  }
  if (groups.length !== 8) return null;
  return groups.map((g) => g.toString(16)).join(':');
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

function parsePort(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** Parses an endpoint pattern; returns an error message when it is not one. */
export function parseEndpointPattern(text: string): EndpointPattern | string {
  const t = text.trim();
  const bad = `"${text}" is not an endpoint: write "ip:port", "ip", ":port" or "[ipv6]:port"`;
  if (t === '') return bad;
  if (t.startsWith(':') && !t.startsWith('::')) {
    const port = parsePort(t.slice(1));
    return port === null ? `bad port in "${text}"` : { ip: null, port, text };
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
    return port === null ? `bad port in "${text}"` : { ip, port, text };
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
    return port === null ? `bad port in "${text}"` : { ip, port, text };
  }
  const ip = canonicalIpv4(t);
  return ip === null ? bad : { ip, port: null, text };
}

export function matchesEndpoint(p: EndpointPattern, e: { ip: string; port: number }): boolean {
  if (p.port !== null && p.port !== e.port) return false;
  if (p.ip !== null && p.ip !== reportIp(e.ip)) return false;
  return true;
}

/** "10.0.0.1:80" or "[fd99::1]:80", as selectors and messages write endpoints. */
export function formatEndpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}
