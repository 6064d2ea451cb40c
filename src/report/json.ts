/** `--format json`: the Report contract of DESIGN.md, pretty-printed, one document per run. */
import type { Finding, Report } from './model.js';

export function renderJson(report: Report, findings?: Finding[]): string {
  const doc: Report = findings ? { ...report, findings } : report;
  return JSON.stringify(doc, null, 2) + '\n';
}
