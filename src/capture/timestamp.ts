/**
 * pcapng timestamps: a 64-bit count of units since the epoch, stored as two 32-bit words, where the
 * interface's if_tsresol option sets the unit (draft-ietf-opsawg-pcapng, "if_tsresol": high bit clear,
 * 10^-value seconds; high bit set, 2^-(value & 0x7f) seconds; default 10^-6) and if_tsoffset adds
 * whole seconds.
 *
 * The conversion to (seconds, nanoseconds) is exact: a nanosecond count since 1970 is about 2^61, far
 * beyond the 2^53 a double holds exactly, so the 64-bit value is divided by the units-per-second in
 * 16-bit steps (long division), each intermediate below 2^49. Resolutions whose units-per-second do
 * not fit in 32 bits fall back to BigInt (rare, and the cost is per packet only for such interfaces).
 * Sub-nanosecond units are truncated towards zero.
 */

import { assertNever } from '../util/assert.js';

const TWO_32 = 4_294_967_296;
const NS_PER_S = 1_000_000_000;

type Mode = 'decimal' | 'binary' | 'bigint';

/** Converts one interface's timestamps; `sec`/`nsec` hold the result of the last `convert()`. */
export class TimestampConverter {
  sec = 0;
  nsec = 0;

  private readonly mode: Mode;
  /** Units per second, when it fits in 32 bits. */
  private readonly unitsPerSec: number;
  /** decimal: nanoseconds per unit (10^(9-k)). */
  private readonly nsPerUnit: number;
  /** binary: the exponent k of 2^-k. */
  private readonly exponent: number;
  private readonly decimal: boolean;
  private readonly offsetSec: number;

  /**
   * @param tsresol the if_tsresol byte (6 when the option is absent)
   * @param offsetSec if_tsoffset in seconds (0 when absent)
   */
  constructor(tsresol: number, offsetSec: number) {
    this.offsetSec = offsetSec;
    this.decimal = (tsresol & 0x80) === 0;
    this.exponent = tsresol & 0x7f;
    if (this.decimal && this.exponent <= 9) {
      this.mode = 'decimal';
      this.unitsPerSec = 10 ** this.exponent;
      this.nsPerUnit = 10 ** (9 - this.exponent);
    } else if (!this.decimal && this.exponent <= 32) {
      this.mode = 'binary';
      this.unitsPerSec = 2 ** this.exponent;
      this.nsPerUnit = 0;
    } else {
      this.mode = 'bigint';
      this.unitsPerSec = 0;
      this.nsPerUnit = 0;
    }
  }

  /** Converts the timestamp words `high`, `low` (unsigned 32-bit each) into `sec`, `nsec`. */
  convert(high: number, low: number): void {
    switch (this.mode) {
      case 'decimal':
      case 'binary': {
        const d = this.unitsPerSec;
        // Long division of (high·2^32 + low) by d, one 16-bit digit of `low` at a time: every
        // intermediate stays below d·2^16 ≤ 2^48, so each step is exact in a double.
        const qh = Math.floor(high / d);
        let r = high - qh * d;
        let x = r * 65_536 + (low >>> 16);
        const q1 = Math.floor(x / d);
        r = x - q1 * d;
        x = r * 65_536 + (low & 0xffff);
        const q2 = Math.floor(x / d);
        r = x - q2 * d;
        this.sec = qh * TWO_32 + q1 * 65_536 + q2 + this.offsetSec;
        if (this.mode === 'decimal') {
          this.nsec = r * this.nsPerUnit;
        } else if (this.exponent <= 9) {
          this.nsec = Math.floor((r * NS_PER_S) / d);
        } else {
          // r·10^9 / 2^k = r·1953125 / 2^(k-9), and r·1953125 < 2^32·2^21 = 2^53: exact.
          this.nsec = Math.floor((r * 1_953_125) / 2 ** (this.exponent - 9));
        }
        return;
      }
      case 'bigint': {
        const ts = (BigInt(high) << 32n) | BigInt(low);
        const k = BigInt(this.exponent);
        const per = this.decimal ? 10n ** k : 1n << k;
        const r = ts % per;
        this.sec = Number(ts / per) + this.offsetSec;
        this.nsec = Number((r * 1_000_000_000n) / per);
        return;
      }
      default:
        assertNever(this.mode, 'timestamp mode');
    }
  }
}
