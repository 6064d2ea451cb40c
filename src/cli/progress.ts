/**
 * Progress on stderr for long runs: only when stderr is a terminal, only after the run has taken a
 * second, at most five times a second, one line rewritten in place and erased at the end.
 */
import type { AnalyzeProgress } from '../pipeline/analyze.js';
import type { CliIO } from './io.js';

const DELAY_MS = 1000;
const EVERY_MS = 200;

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export interface Progress {
  onProgress: ((p: AnalyzeProgress) => void) | undefined;
  done(): void;
}

export function progressReporter(io: CliIO): Progress {
  if (!io.stderrIsTTY) return { onProgress: undefined, done() {} };
  const started = io.now();
  let last = 0;
  let shown = false;
  return {
    onProgress(p) {
      const t = io.now();
      if (t - started < DELAY_MS || t - last < EVERY_MS) return;
      last = t;
      shown = true;
      const rate = Math.round(p.frames / ((t - started) / 1000));
      io.err(`\r\u001b[Ktcpshake: ${human(p.bytes)} read, ${p.frames} packets (${rate} packets/s), ${p.connections} connections`);
    },
    done() {
      if (shown) io.err('\r\u001b[K');
    },
  };
}
