/** Summary counts recomputed for a set of connections (e.g. the ones a filter kept). */
import type { ConnectionReport, Summary } from '../model/report.js';

export function emptySummary(): Summary {
  return { connections: 0, handshake: {}, close: {}, events: {} };
}

/** Adds one connection to running counts (streaming runs keep only these). */
export function addToSummary(s: Summary, c: ConnectionReport): void {
  s.connections++;
  s.handshake[c.handshake.kind] = (s.handshake[c.handshake.kind] ?? 0) + 1;
  s.close[c.close.kind] = (s.close[c.close.kind] ?? 0) + 1;
  for (const e of c.events) s.events[e.kind] = (s.events[e.kind] ?? 0) + 1;
}

export function summarize(connections: readonly ConnectionReport[]): Summary {
  const s = emptySummary();
  for (const c of connections) addToSummary(s, c);
  return s;
}
