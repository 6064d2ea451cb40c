/**
 * TIME_WAIT ends by a timer, not by a segment: 2×MSL after it began (RFC 9293 §3.6.1, §3.10.7.4
 * TIME-WAIT; restarted by a re-acknowledged FIN). A connection is reported a few seconds after its
 * close, while its active closer still holds TIME_WAIT; whether that end is still in TIME_WAIT when the
 * capture ends is known only at the end of the run. These pure functions settle it on a report.
 */
import type { ConnectionReport, EndpointState, Side, StateChange } from '../model/index.js';

const SIDES: readonly Side[] = ['client', 'server'];

/** The capture time (epoch seconds) at which `side`'s TIME_WAIT ends, or null when it does not end the capture in TIME_WAIT. */
export function timeWaitExpiry(c: Pick<ConnectionReport, 'finalState' | 'states'>, side: Side, msl: number): number | null {
  if (c.finalState[side] !== 'TIME_WAIT') return null;
  const states = c.states[side];
  const last = states[states.length - 1];
  if (last === undefined || last.state !== 'TIME_WAIT') return null;
  return last.time + 2 * msl;
}

/** The earliest TIME_WAIT expiry of either end (null when neither ends the report in TIME_WAIT). */
export function earliestTimeWaitExpiry(c: Pick<ConnectionReport, 'finalState' | 'states'>, msl: number): number | null {
  let first: number | null = null;
  for (const side of SIDES) {
    const t = timeWaitExpiry(c, side, msl);
    if (t !== null && (first === null || t < first)) first = t;
  }
  return first;
}

/** The change to CLOSED a TIME_WAIT timer makes at `time` (after the connection's last frame). */
export function timerClose(frame: number, time: number): StateChange {
  return { state: 'CLOSED' as EndpointState, frame, time, how: 'inferred', cause: 'timer' };
}

/**
 * Ends by timer every TIME_WAIT of `c` whose 2×MSL ran out by `captureEnd` (epoch seconds): the end
 * is CLOSED, and its timeline gains the change, inferred, by timer. Returns whether it changed `c`.
 */
export function settleTimeWait(c: ConnectionReport, captureEnd: number, msl: number): boolean {
  let changed = false;
  for (const side of SIDES) {
    const expiry = timeWaitExpiry(c, side, msl);
    if (expiry === null || expiry > captureEnd) continue;
    c.states[side].push(timerClose(c.lastFrame, expiry));
    c.finalState[side] = 'CLOSED';
    changed = true;
  }
  return changed;
}
