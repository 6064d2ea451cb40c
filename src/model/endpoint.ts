/** One end of a connection, and how tcpshake writes it. */

export interface Endpoint {
  ip: string;
  port: number;
}

/** `ip:port`, with an IPv6 address in brackets (RFC 5952 §6); the address alone without a port. */
export function endpointText(ip: string, port?: number): string {
  if (port === undefined) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
