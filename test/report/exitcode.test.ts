import { describe, expect, it } from 'vitest';
import { EXIT, exitCode, failingFindings, failOnFindings, failOnMatches, parseFailOn } from '../../src/report/exitcode.js';
import { FilterError } from '../../src/report/filter.js';
import { capture, conn, ev } from './fixtures.js';

describe('exitCode', () => {
  it('0 when all is well', () => {
    expect(exitCode({ captures: [capture()] })).toBe(0);
  });
  it('1 when an expectation failed', () => {
    expect(exitCode({ captures: [capture()], failed: true })).toBe(1);
  });
  it('3 when a capture stopped early or could not be opened, even if expectations failed', () => {
    const broken = capture({ error: { file: 'x.pcap', frame: 7, offset: 1234, message: 'bad record length' } });
    expect(exitCode({ captures: [capture(), broken], failed: true })).toBe(3);
    expect(exitCode({ inputFailed: true })).toBe(3);
  });
  it('2 for usage errors, before anything else', () => {
    expect(exitCode({ usageError: true, inputFailed: true, failed: true })).toBe(EXIT.usage);
  });
});

describe('--fail-on', () => {
  it('bare names match every category they belong to', () => {
    const f = parseFailOn(['refused', 'three_way']);
    expect(f.handshake).toEqual(['refused', 'three_way']);
    expect(f.close).toEqual(['three_way']);
    expect(f.events).toEqual(['refused']);
  });
  it('prefixes pick one category', () => {
    const f = parseFailOn(['close:three_way,event:rst', 'finding:close_wait_pileup']);
    expect(f).toEqual({ handshake: [], close: ['three_way'], events: ['rst'], findings: ['close_wait_pileup'], warnings: false });
  });
  it('rejects unknown names and prefixes', () => {
    expect(() => parseFailOn(['resett'])).toThrow(FilterError);
    expect(() => parseFailOn(['close:rst'])).toThrow(/close:rst/);
    expect(() => parseFailOn(['bogus:reset'])).toThrow(/category "bogus"/);
  });
  it('never fails on findings by default; on warning findings with warnings, on the named kinds, never with none', () => {
    const f = (kind: 'time_wait_pileup' | 'refused_ports', severity: 'info' | 'warning') => ({ kind, severity, title: '', explanation: '', count: 1, top: [], connections: [] });
    const findings = [f('time_wait_pileup', 'info'), f('refused_ports', 'warning')];
    expect(failingFindings(null, findings)).toEqual([]);
    expect(failingFindings(parseFailOn(['warnings']), findings)).toEqual(['finding:refused_ports']);
    expect(failingFindings(parseFailOn(['finding:warnings']), [f('time_wait_pileup', 'info')])).toEqual([]);
    expect(failingFindings(parseFailOn(['warnings,time_wait_pileup']), findings)).toEqual(['finding:time_wait_pileup', 'finding:refused_ports']);
    expect(failingFindings(parseFailOn(['time_wait_pileup']), findings)).toEqual(['finding:time_wait_pileup']);
    expect(failingFindings(parseFailOn(['none']), findings)).toEqual([]);
    expect(failingFindings(parseFailOn(['reset']), findings)).toEqual([]);
  });
  it('says which connections trip it and why', () => {
    const reset = conn({ id: 4, close: { kind: 'reset', initiator: 'server', rstBy: 'server', finalAckLost: false, finalAckSeen: false }, events: [ev('rst', 40, 'server'), ev('rst', 41, 'server')] });
    expect(failOnMatches(parseFailOn(['reset', 'rst']), reset)).toEqual(['close:reset', 'event:rst']);
    expect(failOnMatches(parseFailOn(['reset']), conn({ id: 1 }))).toEqual([]);
    expect(failOnMatches(parseFailOn(['close:three_way']), conn({ id: 1 }))).toEqual([]);
    expect(failOnMatches(parseFailOn(['handshake:three_way']), conn({ id: 1 }))).toEqual(['handshake:three_way']);
    expect(
      failOnFindings(parseFailOn(['time_wait_pileup']), [{ kind: 'time_wait_pileup', severity: 'info', title: '', explanation: '', count: 1, top: [], connections: [] }]),
    ).toEqual(['finding:time_wait_pileup']);
  });
});
