/**
 * The bench's floor measurement (src/bench/stringify-floor.ts) must time exactly the connection lines
 * of the report it is given: the same count, and as many characters of JSON as the document's lines.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD, WORK, buildCli, runCli, sampleFiles } from '../cli/harness.js';

const SCRIPT = join(BUILD, 'bench', 'stringify-floor.js');

function floor(file: string): { code: number | null; result?: { connections: number; chars: number; seconds: number }; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, file], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr, result: r.status === 0 ? JSON.parse(r.stdout) : undefined };
}

/** tcpshake's json report of `captures`, written to WORK/`name`, and its text. */
function reportOf(captures: string[], name: string): { file: string; text: string } {
  const r = runCli([...captures, '--format', 'json', '--fail-on', 'none']);
  expect(r.code).toBe(0);
  const file = join(WORK, name);
  writeFileSync(file, r.stdout);
  return { file, text: r.stdout };
}

describe('stringify-floor', () => {
  beforeAll(() => buildCli());

  it('times every connection line of a report, and nothing else', () => {
    const captures = sampleFiles().filter((f) => f.endsWith('.pcap')).slice(0, 6);
    const { file, text } = reportOf(captures, 'floor-samples.json');
    const report = JSON.parse(text) as { connections: unknown[] };
    expect(report.connections.length).toBeGreaterThan(1);
    const { code, result } = floor(file);
    expect(code).toBe(0);
    expect(result!.connections).toBe(report.connections.length);
    expect(result!.chars).toBe(report.connections.reduce((n: number, c) => n + JSON.stringify(c).length, 0));
    expect(result!.seconds).toBeGreaterThan(0);
  });

  it('takes a report without connections', () => {
    const file = join(WORK, 'floor-empty.json');
    writeFileSync(file, '{\n  "schemaVersion": 1,\n  "connections": []\n}\n');
    expect(floor(file).result).toMatchObject({ connections: 0, chars: 0 });
  });

  it('names a file that is not a json report and exits 3', () => {
    const file = join(WORK, 'floor-not-a-report.json');
    writeFileSync(file, 'id,client\n1,10.0.0.1\n');
    const { code, stderr } = floor(file);
    expect(code).toBe(3);
    expect(stderr).toContain(file);
  });
});
