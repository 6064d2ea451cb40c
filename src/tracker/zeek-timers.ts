/**
 * Zeek's connection timers, for `--zeek-compat`: when a default Zeek run ends a TCP connection, so
 * that the next packet of the same 4-tuple starts a new conn.log row. Reproduced from
 * zeek/zeek src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc (ExpireTimer, AttemptTimer,
 * ConnectionClosed, ConnectionReset), src/session/Session.cc (InactivityTimer, DeleteTimer) and the
 * constants of scripts/base/init-bare.zeek.
 *
 * Zeek runs its timers by packet time: before each packet it fires every timer due at or before that
 * packet's time, handing the timer the packet's time (not the time it was due), and a connection
 * removed there is gone before the packet is looked up. The timers of one connection:
 *
 * - expire (`tcp_SYN_timeout` after creation, then every `tcp_session_timer` from when it last
 *   fired; also `tcp_session_timer` after a close that left the peer open): after
 *   `tcp_connection_linger` of quiet, removes a connection one side of which closed, if both closed,
 *   or one was reset or never sent anything; and a connection neither side of which got past
 *   INACTIVE (a lone trashed packet).
 * - attempt (`tcp_attempt_delay` after the originator's SYN): removes the connection if the
 *   responder has still sent nothing — the S0/SH split of an unanswered or one-sided attempt.
 * - delete (`tcp_close_delay` after the close completed: both sides closed, or one reset, or one
 *   closed while the other never sent anything): removes it, whatever comes meanwhile; completing the
 *   close cancels the timers above.
 * - inactivity (`tcp_inactivity_timeout` of quiet): removes it.
 *
 * Zeek's partial-close and reset timers run only when a loaded script handles
 * `connection_partial_close` / `connection_reset`; Zeek's default scripts handle neither, so they are
 * not armed here (the reset delay is the close delay: a RST completes the close). A RST in an
 * attempted or established connection (ConnectionReset) makes the expire and attempt timers do
 * nothing more (`is_active` cleared); the delete timer still removes it.
 */

/** Zeek's TCP timer constants (scripts/base/init-bare.zeek), in seconds. */
export const ZEEK_TCP_TIMERS = {
  /** `tcp_SYN_timeout`: the first expire check after a connection is created. */
  synTimeout: 5,
  /** `tcp_session_timer`: the expire check's period, and its delay after a partial close. */
  sessionTimer: 6,
  /** `tcp_connection_linger`: quiet needed before the expire check removes a closed connection. */
  connectionLinger: 5,
  /** `tcp_attempt_delay`: how long an attempt waits for any answer. */
  attemptDelay: 5,
  /** `tcp_close_delay`: how long a completely closed (or reset) connection is kept. */
  closeDelay: 5,
  /** `tcp_inactivity_timeout`: 5 min. */
  inactivityTimeout: 300,
} as const;

/** What the timers need to know of Zeek's endpoints when they fire. */
export interface ZeekTimerView {
  /** Originator / responder never sent anything that moved them out of INACTIVE. */
  origInactive(): boolean;
  respInactive(): boolean;
  /** The originator is in SYN_SENT or SYN_ACK_SENT. */
  origAttempting(): boolean;
  origClosed(): boolean;
  respClosed(): boolean;
  anyReset(): boolean;
}

/** Why Zeek removed a connection. */
export type ZeekRemoval = 'attempt' | 'expire' | 'close' | 'inactivity';

export class ZeekTimers {
  /** Zeek's `is_active`: cleared by ConnectionReset, after which expire and attempt do nothing. */
  private active = true;
  /** Due times of the pending expire timers (one chain from creation, one per partial close). */
  private expire: number[];
  private attempt = Infinity;
  private deleteAt = Infinity;
  private inactivity: number;
  /** Time of the connection's latest packet (Zeek's `Conn()->LastTime()`). */
  private lastTime: number;

  constructor(
    created: number,
    private readonly inactivityTimeout: number = ZEEK_TCP_TIMERS.inactivityTimeout,
  ) {
    this.lastTime = created;
    this.expire = [created + ZEEK_TCP_TIMERS.synTimeout];
    this.inactivity = inactivityTimeout > 0 ? created + inactivityTimeout : Infinity;
  }

  /** A packet of the connection at `t` (before the state machine sees it; Connection::NextPacket). */
  packet(t: number): void {
    this.lastTime = t;
  }

  /** The originator's SYN in the packet being processed moved it out of INACTIVE (UpdateInactiveState). */
  attemptStarted(): void {
    this.attempt = this.lastTime + ZEEK_TCP_TIMERS.attemptDelay;
  }

  /** ConnectionReset(): a RST in an attempted or established connection. */
  reset(): void {
    this.active = false;
  }

  /**
   * ConnectionClosed() for an endpoint that had not closed before: `complete` when the endpoint was
   * reset, the peer had closed, or the peer never sent anything; `firstFromThisSide` when the
   * endpoint's previous state was INACTIVE (its first packet closed it).
   */
  closed(complete: boolean, firstFromThisSide: boolean): void {
    if (complete) {
      // CancelTimers(), then the delete timer from the connection's last packet.
      this.expire.length = 0;
      this.attempt = Infinity;
      this.deleteAt = this.lastTime + ZEEK_TCP_TIMERS.closeDelay;
    } else if (!firstFromThisSide) {
      // Look for the other side closing too.
      this.expire.push(this.lastTime + ZEEK_TCP_TIMERS.sessionTimer);
    }
    // (A first packet that closes its side would arm the partial-close timer, which needs a handler.)
  }

  /** The earliest time a timer is due (Infinity: none). */
  next(): number {
    let t = Math.min(this.attempt, this.deleteAt, this.inactivity);
    for (const e of this.expire) if (e < t) t = e;
    return t;
  }

  /**
   * Fires every timer due at or before `now` (the time of the packet about to be processed), in
   * time order. Returns why the connection is removed, or null when it lives on.
   */
  fire(now: number, view: ZeekTimerView): ZeekRemoval | null {
    for (;;) {
      const due = this.next();
      if (due > now) return null;
      if (due === this.deleteAt) {
        // ConnDeleteTimer → Session::DeleteTimer: unconditional.
        return 'close';
      }
      if (due === this.attempt) {
        this.attempt = Infinity;
        if (this.active && view.origAttempting() && view.respInactive()) return 'attempt';
        continue;
      }
      if (due === this.inactivity) {
        // Session::InactivityTimer: quiet long enough, or check again that long after the last packet.
        if (this.lastTime + this.inactivityTimeout <= now) return 'inactivity';
        this.inactivity = this.lastTime + this.inactivityTimeout;
        continue;
      }
      const i = this.expire.indexOf(due);
      this.expire.splice(i, 1);
      if (!this.active) continue;
      if (this.lastTime + ZEEK_TCP_TIMERS.connectionLinger < now) {
        const oc = view.origClosed();
        const rc = view.respClosed();
        if ((oc || rc) && ((oc && rc) || view.anyReset() || view.origInactive() || view.respInactive())) return 'expire';
        if (view.respInactive() && view.origInactive()) return 'expire';
      }
      // Still active: check again a session timer from now (one check per time is enough).
      const again = now + ZEEK_TCP_TIMERS.sessionTimer;
      if (!this.expire.includes(again)) this.expire.push(again);
    }
  }
}
