/**
 * A Markdown job summary (for `$GITHUB_STEP_SUMMARY` or a merge-request comment): one table per
 * expectations file, one row per rule with ✅/❌, the failure details inline.
 */
import { formatProblem } from './expectations.js';
import { failureLines } from './evaluate.js';
import { shownFailures, tally, tallyLine, type SuiteResult } from './suite.js';

/** Text safe inside a Markdown table cell: no pipes, no raw HTML, no line breaks. */
export function mdCell(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\r?\n/g, '<br>');
}

export function renderMarkdown(suites: readonly SuiteResult[], options: { maxFailures?: number } = {}): string {
  const max = options.maxFailures ?? 10;
  const t = tally(suites);
  const icon = t.failed || t.errors ? '❌' : '✅';
  const out: string[] = [`### ${icon} tcpshake check: ${tallyLine(t)}`, ''];
  for (const s of suites) {
    out.push(`#### ${mdCell(s.expectationsFile)}`, '');
    if (s.description) out.push(`${mdCell(s.description)}`, '');
    if (s.captures.length) out.push(`Captures: ${s.captures.map(mdCell).join(', ')}`, '');
    out.push('| | Rule | Details |', '|---|---|---|');
    for (const p of s.problems) out.push(`| ⚠️ | expectations file | ${mdCell(formatProblem(p))} |`);
    for (const e of s.inputErrors) out.push(`| ⚠️ | capture | ${mdCell(e)} |`);
    for (const r of s.results) {
      const rule = mdCell(r.title) + (r.rule.note ? `<br><sub>${mdCell(r.rule.note)}</sub>` : '');
      if (r.outcome === 'pass') {
        out.push(`| ✅ | ${rule} | ${r.checks} check${r.checks === 1 ? '' : 's'} on ${r.connections} connection${r.connections === 1 ? '' : 's'} |`);
        continue;
      }
      const { shown, more } = shownFailures(r.failures, max);
      const details = shown.map((f) => failureLines(f).map(mdCell).join('<br>'));
      if (more) details.push(`… and ${more} more`);
      out.push(`| ❌ | ${rule} | ${details.join('<br><br>')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
