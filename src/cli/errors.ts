/** User-facing error messages: one line each, no stack traces. */
import { CaptureError, type CaptureWarning } from '../capture/frame.js';

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

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EMFILE: 'too many open files',
  EPERM: 'operation not permitted',
};

/**
 * The message for an input that could not be read at all, or null when the error is not about the
 * input (a bug: the caller shows it as an internal error).
 */
export function inputErrorLine(e: unknown): string | null {
  if (e instanceof CaptureError || (e instanceof Error && e.name === 'CaptureError')) {
    return `tcpshake: ${e.message}\n`;
  }
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && /^E[A-Z]+$/.test(errno.code)) {
    const what = ERRNO_TEXT[errno.code] ?? errno.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return errno.path ? `tcpshake: ${errno.path}: ${what}\n` : `tcpshake: ${what}\n`;
  }
  return null;
}

/** The message for an output file that could not be written (`report -o`): the file, the reason and its errno code. */
export function outputErrorLine(file: string, e: unknown): string {
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && /^E[A-Z]+$/.test(errno.code)) {
    return `tcpshake: cannot write ${file}: ${ERRNO_TEXT[errno.code] ?? errno.code.toLowerCase()} (${errno.code})\n`;
  }
  return `tcpshake: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}\n`;
}
