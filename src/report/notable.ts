/**
 * Which connections a big report lists one by one (the text table past its bound, the HTML table
 * past its own): the notable ones. The others, clean closes, are counted (and in the HTML report
 * summarised) rather than listed.
 */
import { EVENT_CATALOGUE } from '../model/events.js';
import type { ConnectionReport } from '../model/report.js';

/**
 * Anything but a clean close — a handshake that did not complete (or was not the usual one), a close
 * by RST, a half-close, a connection still open, a lost final ACK — or any anomaly event.
 */
export function isNotable(c: ConnectionReport): boolean {
  const hs = c.handshake.kind;
  if (hs !== 'three_way' && hs !== 'simultaneous_open' && hs !== 'not_captured') return true;
  const close = c.close.kind;
  if (close !== 'four_way' && close !== 'three_way' && close !== 'simultaneous') return true;
  if (c.close.finalAckLost) return true;
  for (const e of c.events) if (EVENT_CATALOGUE[e.kind].anomaly) return true;
  return false;
}
