/**
 * Exit codes, as a pure function of what happened in a run:
 *   0  ok
 *   1  `--fail-on` matched: a connection or finding of a kind it names, or with `--fail-on warnings`
 *      a finding of warning severity; `tcpshake check`: an expectation failed. A plain analysis
 *      never exits 1 on what the capture shows: findings are reported, not judged.
 *   2  usage error (bad option or value)
 *   3  unreadable input: a capture could not be opened, or reading stopped at a corrupt record
 *      (the partial report is still printed)
 */
import { EVENT_KINDS, type EventKind } from '../model/events.js';
import { type CaptureReport, type ConnectionReport, type Finding, FINDING_KINDS, type FindingKind } from '../model/report.js';
import { CLOSE_KINDS, type CloseKind, HANDSHAKE_KINDS, type HandshakeKind } from '../model/vocabulary.js';
import { FilterError, splitList } from './filter.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, input: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface RunOutcome {
  usageError?: boolean;
  /** analyze() rejected because an input could not be opened or read at all. */
  inputFailed?: boolean;
  /** The captures as reported (any `error` means reading stopped early). */
  captures?: readonly CaptureReport[];
  /** `--fail-on` (or another expectation) matched. */
  failed?: boolean;
}

export function exitCode(o: RunOutcome): ExitCode {
  if (o.usageError) return EXIT.usage;
  if (o.inputFailed || (o.captures ?? []).some((c) => c.error !== undefined)) return EXIT.input;
  if (o.failed) return EXIT.failed;
  return EXIT.ok;
}

/**
 * What `--fail-on` looks for. A bare name matches every category it belongs to
 * (`refused` is a handshake kind and an event kind); `handshake:`, `close:`, `event:` and
 * `finding:` prefixes pick one (`close:three_way` versus `handshake:three_way`). `warnings`
 * (or `finding:warnings`) stands for every finding of warning severity.
 */
export interface FailOn {
  handshake: HandshakeKind[];
  close: CloseKind[];
  events: EventKind[];
  findings: FindingKind[];
  /** `--fail-on warnings`: any finding of warning severity (or worse). */
  warnings: boolean;
}

export function parseFailOn(values: readonly string[]): FailOn {
  const out: FailOn = { handshake: [], close: [], events: [], findings: [], warnings: false };
  for (const item of splitList(values)) {
    const colon = item.indexOf(':');
    const prefix = colon >= 0 ? item.slice(0, colon) : null;
    const name = colon >= 0 ? item.slice(colon + 1) : item;
    // `--fail-on none`: the run never fails on what the capture shows (as without --fail-on); kept
    // so that scripts written when warnings failed a run by default still work.
    if (prefix === null && name === 'none') continue;
    if ((prefix === null || prefix === 'finding') && name === 'warnings') {
      out.warnings = true;
      continue;
    }
    let matched = false;
    const want = (p: string): boolean => prefix === null || prefix === p;
    if (prefix !== null && !['handshake', 'close', 'event', 'finding'].includes(prefix)) {
      throw new FilterError('fail-on', `unknown --fail-on category "${prefix}"; use handshake:, close:, event: or finding:`);
    }
    if (want('handshake') && (HANDSHAKE_KINDS as readonly string[]).includes(name)) {
      out.handshake.push(name as HandshakeKind);
      matched = true;
    }
    if (want('close') && (CLOSE_KINDS as readonly string[]).includes(name)) {
      out.close.push(name as CloseKind);
      matched = true;
    }
    if (want('event') && (EVENT_KINDS as readonly string[]).includes(name)) {
      out.events.push(name as EventKind);
      matched = true;
    }
    if (want('finding') && (FINDING_KINDS as readonly string[]).includes(name)) {
      out.findings.push(name as FindingKind);
      matched = true;
    }
    if (!matched) {
      throw new FilterError(
        'fail-on',
        `unknown --fail-on kind "${item}"; expected a handshake kind (${HANDSHAKE_KINDS.join(', ')}), ` +
          `a close kind (${CLOSE_KINDS.join(', ')}), an event kind (see --event), a finding (${FINDING_KINDS.join(', ')}) ` +
          'or warnings (every finding of warning severity)',
      );
    }
  }
  return out;
}

/** Whether `--fail-on` names no connection kind (connections need not be looked at). */
export function failOnEmpty(f: FailOn): boolean {
  return f.handshake.length + f.close.length + f.events.length === 0;
}

/** The reasons this connection trips `--fail-on`, e.g. ["close:reset", "event:rst"]; empty when none. */
export function failOnMatches(f: FailOn, c: ConnectionReport): string[] {
  const out: string[] = [];
  if (f.handshake.includes(c.handshake.kind)) out.push(`handshake:${c.handshake.kind}`);
  if (f.close.includes(c.close.kind)) out.push(`close:${c.close.kind}`);
  for (const e of c.events) {
    const tag = `event:${e.kind}`;
    if (f.events.includes(e.kind) && !out.includes(tag)) out.push(tag);
  }
  return out;
}

export function failOnFindings(f: FailOn, findings: readonly Finding[]): string[] {
  return findings.filter((x) => f.findings.includes(x.kind) || (f.warnings && x.severity !== 'info')).map((x) => `finding:${x.kind}`);
}

/**
 * The findings that fail a run. Without `--fail-on` (null) none do: an analysis reports what the
 * capture shows and exits 0, as tshark, Zeek and tcptrace do, so `set -e` scripts and `npm start`
 * do not read a finding as a crash; judging behaviour is `tcpshake check`'s job. With `--fail-on`,
 * the finding kinds it names, and with `warnings` every finding of warning severity or worse
 * (informational ones, a few lost final ACKs or TIME_WAIT below the warning level, never).
 */
export function failingFindings(f: FailOn | null, findings: readonly Finding[]): string[] {
  return f === null ? [] : failOnFindings(f, findings);
}
