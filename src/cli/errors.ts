/** User-facing error messages: one line each, no stack traces. */
import { CaptureError, type CaptureWarning } from '../capture/frame.js';
import { ERRNO_TEXT, errnoCode } from '../util/errno.js';

/** A wrong option or value found after yargs' own checks; exits 2 like yargs' errors. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function warningLine(w: CaptureWarning): string {
  return `tcpshake: warning: ${w.file}: frame ${w.frame} at byte offset ${w.offset}: ${w.message}\n`;
}

export function captureErrorLine(w: CaptureWarning): string {
  return `tcpshake: ${w.file}: frame ${w.frame} at byte offset ${w.offset}: ${w.message}\n`;
}


/**
 * The message for an input that could not be read at all, or null when the error is not about the
 * input (a bug: the caller shows it as an internal error).
 */
export function inputErrorLine(e: unknown): string | null {
  if (e instanceof CaptureError || (e instanceof Error && e.name === 'CaptureError')) {
    return `tcpshake: ${e.message}\n`;
  }
  const code = errnoCode(e);
  if (code !== undefined) {
    const errno = e as NodeJS.ErrnoException;
    const what = ERRNO_TEXT[code] ?? errno.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return errno.path ? `tcpshake: ${errno.path}: ${what}\n` : `tcpshake: ${what}\n`;
  }
  return null;
}

/** The message for an output file that could not be written (`report -o`): the file, the reason and its errno code. */
export function outputErrorLine(file: string, e: unknown): string {
  const code = errnoCode(e);
  if (code !== undefined) return `tcpshake: cannot write ${file}: ${ERRNO_TEXT[code] ?? code.toLowerCase()} (${code})\n`;
  return `tcpshake: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}\n`;
}
