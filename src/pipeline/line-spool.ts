/**
 * Text lines kept by number in an anonymous temporary file instead of the heap: `--format json` holds
 * every connection's line until the end of the run (the document is sorted by id and starts with the
 * summary and findings), which is about 2.4 KB a connection — half a gigabyte of strings for 200,000
 * connections, and V8 keeps a multiple of its live heap as RSS. Spooled, the run needs about as much
 * memory as `--format ndjson`, plus 12 bytes a line; the operating system's page cache does the rest.
 *
 * The file is unlinked as soon as it is opened (nothing is left behind, whatever happens to the
 * process) and lives only as the open descriptor.
 */
import { close, closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, write, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUFFER_BYTES = 1 << 20;
/** Most bytes one UTF-16 code unit takes in UTF-8 (a lone surrogate becomes U+FFFD, also 3). */
const UTF8_MAX_BYTES_PER_UNIT = 3;
/**
 * Full write buffers handed to the operating system at once. Writes go through libuv's thread pool,
 * so the kernel's copy into the page cache (about 2 s of system time for the 480 MB of the bench's
 * large preset) runs beside the analysis instead of inside it; with this many already on their way,
 * the next one is written synchronously, so a slow disk holds the run back instead of buffers piling up.
 */
const MAX_WRITES_IN_FLIGHT = 8;
/**
 * The file is taken back (linesInOrder) in aligned blocks of this size, the latest
 * {@link READ_WINDOW_BLOCKS} of them kept. Lines are spooled in the order connections end, which
 * trails their number order by up to the span of the longest connections open at once: on the
 * bench's large preset a line in number order lies up to 17 MB before the furthest one taken so far,
 * and half of them more than 3 MB before it. A window of 32 MiB takes every line there from a block
 * read once (a single 4 MB block, re-read from each line that came after it, had to read three lines
 * in four on their own: 153,710 reads of one line).
 */
export const READ_BLOCK_BYTES = 1 << 20;
export const READ_WINDOW_BLOCKS = 32;

/** A line handed back by LineSpool.linesInOrder(): `bytes[start, end)`. */
export interface SpooledLine {
  bytes: Buffer;
  start: number;
  end: number;
}

export class LineSpool {
  private fd: number;
  /** Byte offset and length of each numbered line in the file (length 0: no such line). */
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private limit = 0;
  /** Lines not yet written: buffer[0, used) goes at file offset `written`. */
  private buffer: Buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private written = 0;
  private scratch = Buffer.allocUnsafe(16 * 1024);
  /** Buffers being written in the background, buffers free for reuse, the first failure of one. */
  private inFlight = 0;
  private readonly spare: Buffer[] = [];
  private writeFailure: Error | null = null;
  /** Called when the last background write is done (settle() waiting, or close() deferred). */
  private onIdle: (() => void) | null = null;
  private closing = false;
  /**
   * Set by settle(): from then on full buffers are written synchronously, so lines put while the
   * file is being read back (a connection's line replaced at the end of a run) never start a
   * background write that a get() in the same loop would have to wait for.
   */
  private settled = false;

  constructor(dir: string = tmpdir()) {
    const d = mkdtempSync(join(dir, 'tcpshake-'));
    const path = join(d, 'lines');
    this.fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    rmdirSync(d);
  }

  /** One more than the highest line number put so far. */
  get size(): number {
    return this.limit;
  }

  /** Store (or replace) line `n` (a non-negative integer). */
  put(n: number, line: string): void {
    if (this.writeFailure !== null) throw this.writeFailure;
    if (n >= this.offsets.length) this.grow(n);
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: with that much room the line is written
    // without measuring it first (Buffer.byteLength would walk it once more).
    const room = UTF8_MAX_BYTES_PER_UNIT * line.length;
    if (this.used + room > BUFFER_BYTES) {
      if (this.settled) this.flush();
      else this.flushInBackground();
    }
    const offset = this.written + this.used;
    let bytes: number;
    if (room > BUFFER_BYTES) {
      const encoded = Buffer.from(line, 'utf8');
      bytes = encoded.length;
      this.writeAll(encoded);
    } else {
      bytes = this.buffer.write(line, this.used, 'utf8');
      this.used += bytes;
    }
    this.offsets[n] = offset;
    this.lengths[n] = bytes;
    if (n >= this.limit) this.limit = n + 1;
  }

  /**
   * Waits for the background writes (the reads below need the file complete); rejects with the
   * first write's failure, if any. Call before get() and linesInOrder(); put() may be mixed with
   * get() after it (its writes are synchronous from then on).
   */
  async settle(): Promise<void> {
    this.settled = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    this.onIdle = null;
    if (this.writeFailure !== null) throw this.writeFailure;
  }

  /** Line `n`, or undefined when none was put. Only after settle() (or before the first full buffer). */
  get(n: number): string | undefined {
    this.assertSettled();
    if (n >= this.limit) return undefined;
    const len = this.lengths[n]!;
    if (len === 0) return undefined;
    const offset = this.offsets[n]!;
    if (offset >= this.written) return this.buffer.toString('utf8', offset - this.written, offset - this.written + len);
    return this.readAlone(offset, len, n).toString('utf8', 0, len);
  }

  /** Line `n` (`len` bytes at `offset` in the file) read on its own into `scratch[0, len)`. */
  private readAlone(offset: number, len: number, n: number): Buffer {
    const bytes = this.scratchFor(len);
    this.readAt(bytes, len, offset, n);
    return bytes;
  }

  /** The scratch buffer, grown to at least `len` bytes. */
  private scratchFor(len: number): Buffer {
    if (len > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(len, 2 * this.scratch.length));
    return this.scratch;
  }

  /** Fills `into[0, len)` from the file at `offset` (line `n`, if not -1, is named if the file is short). */
  private readAt(into: Buffer, len: number, offset: number, n: number): void {
    let got = 0;
    while (got < len) {
      const r = readSync(this.fd, into, got, len - got, offset + got);
      if (r === 0) throw new Error(`spool file ended early${n >= 0 ? ` at line ${n}` : ` at byte ${offset + got}`}`);
      got += r;
    }
  }

  /**
   * Every line, in line-number order (or the numbers of `order`, in its order), as UTF-8 bytes `line.bytes[line.start, line.end)`: the same
   * object each time, its bytes valid until the next step. Nothing is decoded into strings. The file
   * is read in aligned blocks of {@link READ_BLOCK_BYTES}, each block at most once, and the
   * {@link READ_WINDOW_BLOCKS} used last are kept (see READ_BLOCK_BYTES for why a window). A line in a
   * block already read and since dropped (a connection reported long after its neighbours, a
   * replaced line) is read on its own: the file is read whole once, plus such stragglers.
   */
  *linesInOrder(order?: ArrayLike<number>): Generator<SpooledLine, void, undefined> {
    this.assertSettled();
    this.flush();
    const window = new BlockWindow(this.written, (into, size, offset) => this.readAt(into, size, offset, -1));
    const line: SpooledLine = { bytes: Buffer.allocUnsafe(0), start: 0, end: 0 };
    const count = order === undefined ? this.limit : order.length;
    for (let i = 0; i < count; i++) {
      const n = order === undefined ? i : order[i]!;
      if (n >= this.limit) continue;
      const len = this.lengths[n]!;
      if (len === 0) continue;
      const offset = this.offsets[n]!;
      const first = Math.floor(offset / READ_BLOCK_BYTES);
      const last = Math.floor((offset + len - 1) / READ_BLOCK_BYTES);
      const head = window.block(first);
      const tail = last === first ? head : last === first + 1 ? window.block(last) : null;
      if (head !== null && tail === head) {
        line.bytes = head;
        line.start = offset - first * READ_BLOCK_BYTES;
      } else if (head !== null && tail !== null) {
        // Across two blocks: copied from both.
        const bytes = this.scratchFor(len);
        const split = (first + 1) * READ_BLOCK_BYTES - offset;
        head.copy(bytes, 0, offset - first * READ_BLOCK_BYTES);
        tail.copy(bytes, split, 0, len - split);
        line.bytes = bytes;
        line.start = 0;
      } else {
        // Longer than a block, or a straggler.
        line.bytes = this.readAlone(offset, len, n);
        line.start = 0;
      }
      line.end = line.start + len;
      yield line;
    }
  }

  /**
   * Close the file (its space is freed: it was unlinked when opened). With background writes still
   * on their way (a run that failed part-way), the descriptor is closed after them: closed earlier,
   * its number could be reused by another file before they land.
   */
  close(): void {
    if (this.fd < 0 || this.closing) return;
    if (this.inFlight > 0) {
      this.closing = true;
      this.onIdle = () => {
        close(this.fd, () => undefined);
        this.fd = -1;
      };
      return;
    }
    closeSync(this.fd);
    this.fd = -1;
  }

  private assertSettled(): void {
    if (this.inFlight > 0) throw new Error('LineSpool: background writes still on their way (await settle() first)');
  }

  /** Writes the buffered lines now. */
  private flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  /**
   * Hands the full buffer to a background write and carries on in a spare one; with
   * MAX_WRITES_IN_FLIGHT already on their way, writes it synchronously instead.
   */
  private flushInBackground(): void {
    if (this.used === 0) return;
    if (this.inFlight >= MAX_WRITES_IN_FLIGHT) {
      this.flush();
      return;
    }
    const full = this.buffer;
    const length = this.used;
    const position = this.written;
    this.written += length;
    this.used = 0;
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafe(BUFFER_BYTES);
    this.inFlight++;
    const done = (e: Error | null): void => {
      this.writeFailure ??= e;
      this.spare.push(full);
      if (--this.inFlight === 0) this.onIdle?.();
    };
    // A short write (allowed, though a regular file rarely does it) is continued from where it stopped.
    const writeFrom = (at: number): void => {
      write(this.fd, full, at, length - at, position + at, (e, n) => {
        if (e !== null) done(e);
        else if (at + n < length && n > 0) writeFrom(at + n);
        else done(n === 0 && at < length ? new Error('spool file write wrote nothing') : null);
      });
    };
    writeFrom(0);
  }

  private writeAll(bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done);
    this.written += bytes.length;
  }

  private grow(n: number): void {
    let size = this.offsets.length;
    while (size <= n) size *= 2;
    const offsets = new Float64Array(size);
    offsets.set(this.offsets);
    const lengths = new Uint32Array(size);
    lengths.set(this.lengths);
    this.offsets = offsets;
    this.lengths = lengths;
  }
}

/**
 * The blocks of a spool file kept while it is taken back in line order: up to
 * {@link READ_WINDOW_BLOCKS} buffers of {@link READ_BLOCK_BYTES}, the least recently used given up
 * for the next block. A block is read at most once: asked for again after it was given up, it is
 * not there (null), and the caller reads its line alone. So however the lines were ordered, the
 * file is never read more than once in blocks.
 */
class BlockWindow {
  private readonly held: Buffer[] = [];
  /** Block index each buffer holds, and when it was last asked for. */
  private readonly tags: number[] = [];
  private readonly used: number[] = [];
  private clock = 0;
  private readonly readBefore: Uint8Array;

  constructor(
    private readonly fileBytes: number,
    private readonly read: (into: Buffer, size: number, offset: number) => void,
  ) {
    this.readBefore = new Uint8Array(Math.ceil(fileBytes / READ_BLOCK_BYTES));
  }

  /** Block `index` of the file (the last one may be short), or null when it was read before and given up. */
  block(index: number): Buffer | null {
    const at = this.tags.indexOf(index);
    if (at >= 0) {
      this.used[at] = ++this.clock;
      return this.held[at]!;
    }
    if (this.readBefore[index] !== 0) return null;
    this.readBefore[index] = 1;
    let slot = this.held.length;
    if (slot < READ_WINDOW_BLOCKS) {
      this.held.push(Buffer.allocUnsafe(READ_BLOCK_BYTES));
      this.tags.push(index);
      this.used.push(0);
    } else {
      slot = 0;
      for (let i = 1; i < this.used.length; i++) if (this.used[i]! < this.used[slot]!) slot = i;
    }
    const buffer = this.held[slot]!;
    this.read(buffer, Math.min(READ_BLOCK_BYTES, this.fileBytes - index * READ_BLOCK_BYTES), index * READ_BLOCK_BYTES);
    this.tags[slot] = index;
    this.used[slot] = ++this.clock;
    return buffer;
  }
}
