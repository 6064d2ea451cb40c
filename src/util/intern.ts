/**
 * One shared copy of each string that many long-lived objects would otherwise each hold (Zeek
 * histories, RST senders' addresses), up to `max` distinct strings: past that, a string is kept as
 * given, so that a capture of ever-new values (spoofed sources, odd segments) cannot grow the table.
 */
export class StringInterner {
  private readonly seen = new Map<string, string>();

  constructor(private readonly max: number) {}

  /** The shared copy of `s` (`s` itself the first time, or once the table is full). */
  get(s: string): string {
    const seen = this.seen.get(s);
    if (seen !== undefined) return seen;
    if (this.seen.size < this.max) this.seen.set(s, s);
    return s;
  }
}
