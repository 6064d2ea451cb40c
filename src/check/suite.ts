/**
 * One expectations file checked against one report: what every renderer (text, markdown, JUnit)
 * and the exit code are computed from.
 */
import type { ExpectationsProblem } from './expectations.js';
import type { Failure, RuleResult } from './evaluate.js';

export interface SuiteResult {
  /** The expectations file as the user named it. */
  expectationsFile: string;
  description?: string;
  /** Captures the report was built from, as the user named them. */
  captures: string[];
  /** Problems with the expectations file itself (bad JSON, unknown path, ...): exit 2. */
  problems: ExpectationsProblem[];
  /** Captures that could not be read (unopenable, or reading stopped on a corrupt record): exit 3. */
  inputErrors: string[];
  results: RuleResult[];
  /** Seconds spent (reading and evaluating), for JUnit's time attributes. */
  time: number;
}

export type ExitCode = 0 | 1 | 2 | 3;

/**
 * 2 when an expectations file is bad (nothing trustworthy was checked), else 3 when an input could
 * not be read, else 1 when a rule failed, else 0.
 */
export function exitCode(suites: readonly SuiteResult[]): ExitCode {
  if (suites.some((s) => s.problems.length > 0)) return 2;
  if (suites.some((s) => s.inputErrors.length > 0)) return 3;
  if (suites.some((s) => s.results.some((r) => r.outcome === 'fail'))) return 1;
  return 0;
}

export interface Tally {
  passed: number;
  failed: number;
  errors: number;
}

export function tally(suites: readonly SuiteResult[]): Tally {
  let passed = 0;
  let failed = 0;
  let errors = 0;
  for (const s of suites) {
    errors += s.problems.length + s.inputErrors.length;
    for (const r of s.results) {
      if (r.outcome === 'pass') passed++;
      else failed++;
    }
  }
  return { passed, failed, errors };
}

export function tallyLine(t: Tally): string {
  const parts = [`${t.passed} passed`, `${t.failed} failed`];
  if (t.errors) parts.push(`${t.errors} error${t.errors === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** Failures of a rule capped for display, with how many were left out. */
export function shownFailures(failures: readonly Failure[], max: number): { shown: readonly Failure[]; more: number } {
  return failures.length <= max ? { shown: failures, more: 0 } : { shown: failures.slice(0, max), more: failures.length - max };
}
