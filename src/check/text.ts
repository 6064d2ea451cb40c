/** Plain-text output of `tcpshake check`: PASS/FAIL per rule, the details of failures, a tally line. */
import { formatProblem } from './expectations.js';
import { failureLines } from './evaluate.js';
import { shownFailures, tally, tallyLine, type SuiteResult } from './suite.js';

export interface TextOptions {
  /** Failures listed per rule before "... and N more". Default 20. */
  maxFailures?: number;
}

export function renderText(suites: readonly SuiteResult[], options: TextOptions = {}): string {
  const max = options.maxFailures ?? 20;
  const out: string[] = [];
  for (const s of suites) {
    out.push(`${s.expectationsFile}${s.captures.length ? ` (${s.captures.join(', ')})` : ''}`);
    for (const p of s.problems) out.push(`ERROR ${formatProblem(p)}`);
    for (const e of s.inputErrors) out.push(`ERROR ${e}`);
    for (const r of s.results) {
      const note = r.rule.note ? ` — ${r.rule.note}` : '';
      if (r.outcome === 'pass') {
        out.push(`PASS ${r.title}${note}`);
        continue;
      }
      out.push(`FAIL ${r.title}${note}`);
      const { shown, more } = shownFailures(r.failures, max);
      for (const f of shown) {
        const [first, ...rest] = failureLines(f);
        out.push(`  - ${first}`);
        for (const l of rest) out.push(`    ${l}`);
      }
      if (more) out.push(`  ... and ${more} more`);
    }
  }
  out.push(tallyLine(tally(suites)));
  return out.join('\n') + '\n';
}
