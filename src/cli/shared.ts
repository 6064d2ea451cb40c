/**
 * Helpers several commands share (those of `analyze` itself live in ./analyze.ts).
 */
import type { CaptureReport } from '../model/report.js';
import { exitCode } from '../report/exitcode.js';
import type { CliIO } from './io.js';
import { reportCaptureProblems } from './analyze.js';

/**
 * The end of a command that has written its output: the capture warnings and read errors on
 * stderr, after the output so they are the last thing a user sees, and the exit code they imply
 * (3 when a capture could not be read to its end).
 */
export function endWithCaptureProblems(captures: readonly CaptureReport[], io: CliIO): number {
  reportCaptureProblems(captures, io);
  return exitCode({ captures });
}
