/**
 * Port heuristics for deciding which end is the server when the capture saw neither a SYN nor a
 * SYN-ACK (roles: the SYN sender; else the SYN-ACK receiver; else these port heuristics; see
 * docs/architecture.md for where flow/ sits).
 */

/** Service ports above 1023 that are nearly always the server side. */
export const KNOWN_SERVICE_PORTS: ReadonlySet<number> = new Set([
  1080, 1194, 1433, 1521, 1883, 2049, 2181, 2375, 2376, 2379, 2380, 3000, 3128, 3306, 3389, 4222, 4443, 5000,
  5044, 5060, 5061, 5222, 5432, 5601, 5671, 5672, 5900, 5984, 6379, 6443, 6667, 7000, 7001, 8000, 8008, 8080,
  8081, 8086, 8088, 8443, 8500, 8888, 9000, 9042, 9090, 9092, 9093, 9200, 9300, 9418, 11211, 15672, 27017,
  27018, 50051,
]);

export function isServicePort(port: number): boolean {
  return (port > 0 && port < 1024) || KNOWN_SERVICE_PORTS.has(port);
}

export type RoleDecision = 'well_known_port' | 'lower_port' | 'first_packet';

/**
 * Which of two endpoints (A sent the first packet) is the server, by ports only.
 * Returns whether A is the client, and the rule that decided.
 */
export function rolesByPort(portA: number, portB: number): { aIsClient: boolean; decidedBy: RoleDecision } {
  const aSvc = isServicePort(portA);
  const bSvc = isServicePort(portB);
  if (aSvc !== bSvc) return { aIsClient: bSvc, decidedBy: 'well_known_port' };
  if (portA !== portB) return { aIsClient: portA > portB, decidedBy: 'lower_port' };
  return { aIsClient: true, decidedBy: 'first_packet' };
}
