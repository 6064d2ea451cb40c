/**
 * Capture time inside the flow table and the trackers: seconds since a whole second of the run (the
 * first segment's), as one double. Epoch seconds as a double (about 1.7e9) keep only ~0.24 µs, so an
 * interval taken between two of them (SYN → SYN-ACK, a duration, a retry backoff) would lose the
 * nanoseconds a pcap-nsec or pcapng file carries; relative to the run's base, a double keeps them for
 * about 50 days of capture. Times leave the tracker through `epoch()`, which gives exactly the float
 * `sec + nsec × 1e-9` of the segment's own timestamp (the report's `time` fields, as before).
 */
export class CaptureClock {
  /** Whole epoch second the relative times count from (set by the first segment). */
  private base = 0;
  private based = false;

  /** Relative seconds for a capture timestamp. */
  rel(sec: number, nsec: number): number {
    if (!this.based) {
      this.base = sec;
      this.based = true;
    }
    return sec - this.base + nsec * 1e-9;
  }

  /**
   * Epoch seconds for a relative time: the whole seconds and the nanoseconds are recovered exactly
   * (rounded to the nanosecond) and recombined as the capture layer's `sec + nsec × 1e-9`.
   */
  epoch(rel: number): number {
    if (!Number.isFinite(rel)) return rel;
    let whole = Math.floor(rel);
    let ns = Math.round((rel - whole) * 1e9);
    if (ns >= 1e9) {
      whole += 1;
      ns -= 1e9;
    }
    return this.base + whole + ns * 1e-9;
  }
}

/** `later − earlier` in seconds, rounded to the nanosecond (the finest a capture records). */
export function interval(earlier: number, later: number): number {
  return Math.round((later - earlier) * 1e9) / 1e9;
}
