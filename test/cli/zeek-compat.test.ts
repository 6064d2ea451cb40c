/**
 * The Zeek-boundary options from the command line, on a corpus trace Zeek ran without -C in bare mode:
 * `--format zeek --zeek-compat --zeek-bare --checksums verify` gives Zeek's own two conn.log rows.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildCli, runCli } from './harness.js';

const TRACE = join(ROOT, '..', 'shared', 'corpus', 'zeek', 'chksums__localhost-bad-chksum.pcap');

/** id.orig_h id.orig_p id.resp_h id.resp_p conn_state history orig_pkts resp_pkts of each row. */
function rows(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const f = l.split('\t');
      return [f[2], f[3], f[4], f[5], f[11], f[15], f[16], f[18]].join(' ');
    });
}

describe.skipIf(!existsSync(TRACE))('--zeek-compat, --zeek-bare, --checksums (CLI)', () => {
  beforeAll(() => buildCli());

  it("lines up with the conn.log of Zeek run without -C (bad checksums dropped) in bare mode", () => {
    const r = runCli(['-f', 'zeek', '--zeek-compat', '--zeek-bare', '--checksums', 'verify', TRACE]);
    expect(r.code).toBe(0);
    expect(rows(r.stdout)).toEqual([
      '192.168.1.28 53246 35.221.46.9 80 OTH C 0 0',
      '35.221.46.9 80 192.168.1.28 53246 SH HcADF 4 0',
    ]);
  });

  it('by default analyses every segment: one connection', () => {
    const r = runCli(['-f', 'zeek', TRACE]);
    expect(rows(r.stdout)).toEqual(['192.168.1.28 53246 35.221.46.9 80 SF ShADadFf 6 4']);
  });

  it('--checksums takes only ignore or verify', () => {
    const r = runCli(['--checksums', 'strict', TRACE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/checksums/);
  });
});
