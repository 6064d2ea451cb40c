/**
 * JUnit XML for CI test reporters (GitHub, GitLab, Jenkins): <testsuites> with one <testsuite> per
 * expectations file and one <testcase> per rule; a failed rule has a <failure> whose message says
 * what was expected and seen, with the frames in the body. A bad expectations file or an unreadable
 * capture is an <error>.
 */
import { formatProblem } from './expectations.js';
import { failureLines, type Failure } from './evaluate.js';
import { shownFailures, tally, type SuiteResult } from './suite.js';
import { assertNever } from '../util/assert.js';

/** Escapes text for XML attribute values and character data; drops characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Attribute values additionally keep their line breaks (a parser would fold them into spaces). */
function attr(s: string): string {
  return xmlEscape(s).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function shortMessage(f: Failure): string {
  switch (f.kind) {
    case 'mismatch':
      return `#${f.connection.id} ${f.path}: expected ${f.expected}, seen ${f.seen}`;
    case 'no_match':
      return `selector matched nothing: ${f.selector}`;
    case 'service':
      return f.groups[0] ? `${f.headline}; ${f.groups[0].label}` : f.headline;
    case 'count_mismatch':
      return `${f.key}: expected ${f.expected}, seen ${f.seen}`;
    case 'policy_violation':
      return `#${f.connection.id}: ${f.reason}`;
    default:
      return assertNever(f, 'failure');
  }
}

function seconds(t: number): string {
  return (Number.isFinite(t) && t > 0 ? t : 0).toFixed(3);
}

export interface JunitOptions {
  /** ISO timestamp for the suites (omitted when not given, to keep output reproducible). */
  timestamp?: string;
  maxFailures?: number;
}

export function renderJunit(suites: readonly SuiteResult[], options: JunitOptions = {}): string {
  const max = options.maxFailures ?? 50;
  const all = tally(suites);
  const totalTests = all.passed + all.failed + all.errors;
  const totalTime = suites.reduce((a, s) => a + s.time, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="tcpshake check" tests="${totalTests}" failures="${all.failed}" errors="${all.errors}" time="${seconds(totalTime)}">`);
  for (const s of suites) {
    const t = tally([s]);
    const tests = t.passed + t.failed + t.errors;
    const ts = options.timestamp ? ` timestamp="${attr(options.timestamp)}"` : '';
    out.push(`  <testsuite name="${attr(s.expectationsFile)}" tests="${tests}" failures="${t.failed}" errors="${t.errors}" skipped="0" time="${seconds(s.time)}"${ts}>`);
    if (s.captures.length || s.description) {
      out.push('    <properties>');
      for (const c of s.captures) out.push(`      <property name="capture" value="${attr(c)}"/>`);
      if (s.description) out.push(`      <property name="description" value="${attr(s.description)}"/>`);
      out.push('    </properties>');
    }
    const perCase = tests > 0 ? s.time / tests : 0;
    for (const p of s.problems) {
      const msg = formatProblem(p);
      out.push(`    <testcase classname="${attr(s.expectationsFile)}" name="expectations file line ${p.line}" time="0.000">`);
      out.push(`      <error message="${attr(msg)}" type="bad_expectations">${xmlEscape(msg)}</error>`);
      out.push('    </testcase>');
    }
    s.inputErrors.forEach((e, i) => {
      out.push(`    <testcase classname="${attr(s.expectationsFile)}" name="read capture ${i + 1}" time="0.000">`);
      out.push(`      <error message="${attr(e)}" type="unreadable_capture">${xmlEscape(e)}</error>`);
      out.push('    </testcase>');
    });
    for (const r of s.results) {
      const name = r.title + (r.rule.note ? ` (${r.rule.note})` : '');
      const open = `    <testcase classname="${attr(s.expectationsFile)}" name="${attr(name)}" time="${seconds(perCase)}"`;
      if (r.outcome === 'pass') {
        out.push(`${open}/>`);
        continue;
      }
      const { shown, more } = shownFailures(r.failures, max);
      const message = shown.map(shortMessage).join('; ') + (more ? `; and ${more} more` : '');
      const body = shown.map((f) => failureLines(f).join('\n')).join('\n\n') + (more ? `\n\n... and ${more} more` : '');
      out.push(`${open}>`);
      out.push(`      <failure message="${attr(message)}" type="${attr(r.failures[0]?.kind ?? 'failure')}">${xmlEscape(body)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
