/**
 * `--fail-on` for the commands that print a report (`tcpshake` and `tcpshake merge`): which shown
 * connections tripped it, then the exit code and the one stderr line that names them. See
 * docs/architecture.md (cli/ keeps argv, IO and exit codes; the rules themselves are in
 * report/exitcode.ts).
 */
import type { CaptureReport, ConnectionReport, Finding } from '../model/report.js';
import { EXIT, exitCode, failingFindings, failOnEmpty, failOnMatches, type FailOn } from '../report/exitcode.js';
import type { CliIO } from './io.js';

/** How many tripped connections the message names. */
const TRIPPED_SHOWN = 10;

interface Tripped {
  id: number;
  why: string[];
}

function lowestIds(list: Tripped[]): Tripped[] {
  return list.slice().sort((x, y) => x.id - y.id).slice(0, TRIPPED_SHOWN);
}

export class FailOnTally {
  private failed = false;
  // Only the lowest ids are named, so the list is cut back whenever it grows past a few times
  // that: bounded by TRIPPED_SHOWN, not by the capture.
  private tripped: Tripped[] = [];
  private trippedCount = 0;
  /** For the output stage's onShown; undefined when --fail-on names no connection kinds. */
  readonly noteConnection: ((c: ConnectionReport) => void) | undefined;

  constructor(private readonly failOn: FailOn | null) {
    this.noteConnection =
      failOn === null || failOnEmpty(failOn)
        ? undefined
        : (c: ConnectionReport): void => {
            const why = failOnMatches(failOn, c);
            if (why.length === 0) return;
            this.failed = true;
            this.trippedCount++;
            this.tripped.push({ id: c.id, why });
            if (this.tripped.length >= 4 * TRIPPED_SHOWN) this.tripped = lowestIds(this.tripped);
          };
  }

  /** The run's exit code; says on stderr what tripped --fail-on, once the report has left. */
  async finish(captures: readonly CaptureReport[], findings: readonly Finding[], io: CliIO): Promise<number> {
    const findingHits = failingFindings(this.failOn, findings);
    const failed = this.failed || findingHits.length > 0;
    const code = exitCode({ captures, failed });
    if (!failed) return code;
    // Said once the report has left: a reader that closed stdout early (`| head -1`) ends the run
    // quietly before it.
    await io.drained?.();
    const shown = lowestIds(this.tripped);
    const parts = shown.map((t) => `#${t.id} (${t.why.join(', ')})`);
    if (this.trippedCount > shown.length) parts.push(`and ${this.trippedCount - shown.length} more connections`);
    parts.push(...findingHits);
    // Unreadable input (exit 3) outranks findings: only an explicit --fail-on is still named then.
    if (code === EXIT.failed || this.failOn !== null) io.err(`tcpshake: --fail-on matched: ${parts.join(', ')}\n`);
    return code;
  }
}
