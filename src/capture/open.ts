/**
 * Opening one capture: a path or a named stream, gzip sniffed by its magic and decompressed as a stream,
 * the format sniffed from the first four bytes, then chunks pushed through the format reader. Nothing
 * needs a seekable file and nothing reads the whole file into memory, so `tcpdump -w - | tcpshake -`
 * works as it comes.
 */
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { CaptureError, emptyCaptureInfo, type CaptureInfo, type Frame } from './frame.js';
import { isPcapMagic, PcapReader } from './pcap.js';
import { BLOCK_SHB, PcapngReader } from './pcapng.js';
import type { ReaderContext, RecordReader } from './reader.js';
import { ERRNO_TEXT, errorCode } from '../util/errno.js';

/**
 * Size of the pieces handed to the format readers, so each batch stays bounded (a few hundred frames).
 * Neither reader copies a piece: only a record split across two pieces is put together (see
 * PcapReader.feedChunk and the pcapng reader), so the size costs nothing in copying; measured on the
 * bench's large preset, 256 KiB pieces read no faster than these.
 */
export const CHUNK_BYTES = 64 * 1024;

/** Read size for files opened by path: fewer, larger reads; each is then split into CHUNK_BYTES pieces. */
const READ_BYTES = 4 * CHUNK_BYTES;

/** One input being read. Create with {@link openCapture}. */
export interface OpenedCapture {
  /**
   * What is known about the input, filled in as it is read; complete once `batches()` has finished
   * or thrown. `firstTs*`/`lastTs*` are those of the first and last frame in file order.
   */
  info: CaptureInfo;
  /**
   * The frames in file order, in batches (one per chunk read; never empty). Iterate once. Frames of a
   * batch may share the chunk buffer; buffers are never reused, so frames may be kept.
   *
   * When the file cannot be read on (open failure, unknown format, corrupt record or block header),
   * the iterator first yields every good frame before the problem, then closes the input and throws a
   * {@link CaptureError} naming the file, the first frame not read and the byte offset. A last record
   * cut short by the end of the file is not an error: it becomes a warning in `info.warnings`.
   */
  batches(): AsyncIterable<Frame[]>;
  /** Bytes consumed from the input so far (compressed bytes for a gzip file), for progress. */
  bytesRead(): number;
  /** The error that stopped reading, once `batches()` has thrown it (also when iterated by a merge). */
  error(): CaptureError | null;
}

const PCAPNG_MAGIC = BLOCK_SHB;


/** A clear message for a failure of the input stream or of gzip decompression. */
function describeFailure(e: unknown, nothingReadYet: boolean): string {
  const code = errorCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code !== undefined && code.startsWith('Z_')) return `gzip data corrupt: ${message}`;
  if (code !== undefined && ERRNO_TEXT[code] !== undefined) {
    const syscall = typeof e === 'object' && e !== null && 'syscall' in e ? String((e as { syscall: unknown }).syscall) : '';
    const what = syscall === 'open' || nothingReadYet ? 'cannot open' : 'read failed';
    return `${what}: ${ERRNO_TEXT[code]} (${code})`;
  }
  return `read failed: ${message}`;
}

/** zlib's complaint when a gzip stream stops before its end. */
function isGzipCutShort(e: unknown): boolean {
  return errorCode(e) === 'Z_BUF_ERROR';
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), 'latin1');
}

/**
 * Opens one capture for reading. Nothing happens until `batches()` is iterated: the file is opened
 * then, and any failure to open it surfaces as a {@link CaptureError} thrown by the iterator.
 *
 * @param input a path, or a stream with the name to report it under (the CLI passes standard input
 *   as `{ name: '-', stream: process.stdin }`); the stream is destroyed when reading ends
 * @param fileIndex the input's position among the run's inputs, copied into every frame
 */
export function openCapture(input: string | { name: string; stream: Readable }, fileIndex: number): OpenedCapture {
  const file = typeof input === 'string' ? input : input.name;
  const info = emptyCaptureInfo(file);
  let compressedBytes = 0;
  let failure: CaptureError | null = null;
  let started = false;

  async function* read(): AsyncGenerator<Frame[], void, undefined> {
    let stream: Readable | null = null;
    let gunzip: Gunzip | null = null;
    let reader: RecordReader | null = null;
    /** Decompressed bytes handed to the reader (or held for sniffing). */
    let offset = 0;
    const ctx: ReaderContext = { file, fileIndex, info };

    /** The raw input's chunks, counting them for bytesRead(). */
    async function* raw(it: AsyncIterator<unknown>): AsyncGenerator<Buffer, void, undefined> {
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        const b = toBuffer(r.value);
        compressedBytes += b.length;
        yield b;
      }
    }

    /** The input's bytes, gunzipped when the first two are the gzip magic 1f 8b (RFC 1952). */
    async function* decompressed(source: Readable): AsyncGenerator<Buffer, void, undefined> {
      const rawChunks = raw(source[Symbol.asyncIterator]());
      const first: Buffer[] = [];
      let have = 0;
      while (have < 2) {
        const r = await rawChunks.next();
        if (r.done === true) break;
        first.push(r.value);
        have += r.value.length;
      }
      const head = first.length === 1 ? first[0]! : Buffer.concat(first);
      if (!(have >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
        if (have > 0) yield head;
        yield* rawChunks;
        return;
      }
      info.gzip = true;
      const z = createGunzip({ chunkSize: CHUNK_BYTES });
      gunzip = z;
      // A failing source (a read error mid-way) ends the compressed stream instead of failing it:
      // pipeline() would destroy the gunzip stream with the error and drop what it decompressed but
      // had not handed over yet. Everything before the failure is read out first, then it is thrown.
      const readFailure = { failed: false, error: undefined as unknown };
      const compressed = Readable.from(
        (async function* () {
          yield head;
          try {
            yield* rawChunks;
          } catch (e) {
            readFailure.failed = true;
            readFailure.error = e;
          }
        })(),
        { objectMode: false },
      );
      pipeline(compressed, z, () => undefined);
      try {
        yield* z as AsyncIterable<Buffer>;
      } catch (e) {
        // The gzip stream cut short by the failure: the failure is what went wrong.
        throw readFailure.failed ? readFailure.error : e;
      }
      if (readFailure.failed) throw readFailure.error;
    }

    function account(out: Frame[]): void {
      const first = out[0]!;
      const last = out[out.length - 1]!;
      if (info.firstTsSec === null) {
        info.firstTsSec = first.tsSec;
        info.firstTsNsec = first.tsNsec;
      }
      info.lastTsSec = last.tsSec;
      info.lastTsNsec = last.tsNsec;
      info.frames += out.length;
    }

    try {
      stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: READ_BYTES }) : input.stream;
      let sniff: Buffer | null = null;
      let cutShort = false;
      const chunks = decompressed(stream);
      try {
        for await (const whole of chunks) {
          for (let s = 0; s < whole.length; s += CHUNK_BYTES) {
            let chunk = whole.length <= CHUNK_BYTES ? whole : whole.subarray(s, s + CHUNK_BYTES);
            if (reader === null) {
              // The format is known from the first four bytes, which may arrive one at a time.
              sniff = sniff === null ? chunk : Buffer.concat([sniff, chunk]);
              if (sniff.length < 4) continue;
              reader = chooseReader(sniff, ctx);
              chunk = sniff;
              sniff = null;
            }
            const out: Frame[] = [];
            reader.push(chunk, out);
            offset += chunk.length;
            if (out.length > 0) {
              account(out);
              yield out;
            }
            if (reader.error) throw reader.error;
          }
        }
      } catch (e) {
        if (e instanceof CaptureError) throw e;
        if (!(info.gzip && isGzipCutShort(e))) {
          throw new CaptureError(
            file,
            reader ? reader.nextFrame() : 1,
            offset + (sniff?.length ?? 0),
            describeFailure(e, compressedBytes === 0),
          );
        }
        cutShort = true;
      }
      if (cutShort) {
        info.warnings.push({
          file,
          frame: reader ? reader.nextFrame() : 1,
          offset: offset + (sniff?.length ?? 0),
          message: 'gzip data cut short: the compressed stream ends before its end marker',
        });
      }
      if (reader === null) {
        const have = sniff?.length ?? 0;
        const gz = info.gzip ? ' (after gzip decompression)' : '';
        throw new CaptureError(
          file,
          1,
          0,
          have === 0 ? `empty file${gz}: not a capture` : `file too short to be a capture${gz}: ${have} bytes`,
        );
      }
      reader.finish();
      if (reader.error) throw reader.error;
    } catch (e) {
      if (e instanceof CaptureError) failure = e;
      throw e;
    } finally {
      (gunzip as Gunzip | null)?.destroy();
      stream?.destroy();
    }
  }

  return {
    info,
    batches(): AsyncIterable<Frame[]> {
      if (started) throw new Error(`${file}: batches() may only be iterated once`);
      started = true;
      return read();
    },
    bytesRead: () => compressedBytes,
    error: () => failure,
  };

  function chooseReader(head: Buffer, ctx: ReaderContext): RecordReader {
    const magic = head.readUInt32BE(0);
    if (isPcapMagic(magic)) return new PcapReader(ctx);
    if (magic === PCAPNG_MAGIC) return new PcapngReader(ctx);
    const gz = info.gzip ? ' (after gzip decompression)' : '';
    throw new CaptureError(
      file,
      1,
      0,
      `unknown file format${gz}: magic 0x${magic.toString(16).padStart(8, '0')} is not pcap, pcap-nsec, pcapng or gzip`,
    );
  }
}
