import { describe, expect, it } from 'vitest';
import { FilterError, compileFilter, filterConnections, parseFilter, parseKinds } from '../../src/report/filter.js';
import { cidrContains, parseCidr, parseIPv6, parseIp } from '../../src/util/ip.js';
import { EVENT_KINDS } from '../../src/model/events.js';
import { conn, ev } from './fixtures.js';

const v6 = conn({ id: 3, client: { ip: '2001:db8::10', port: 50000 }, server: { ip: '2001:db8:0:1::443', port: 443 } });
const refused = conn({
  id: 2,
  server: { ip: '192.168.1.5', port: 8080 },
  handshake: { ...conn({ id: 2 }).handshake, kind: 'refused' },
  close: { kind: 'not_established', initiator: null, rstBy: 'server', finalAckLost: false, finalAckSeen: false },
  events: [ev('syn', 21, 'client'), ev('refused', 22, 'server')],
});
const all = [conn({ id: 1 }), refused, v6];
const ids = (f: Parameters<typeof parseFilter>[0]): number[] => filterConnections(all, parseFilter(f)).map((c) => c.id);

describe('ip parsing', () => {
  it('parses IPv4 and IPv6 forms', () => {
    expect(Array.from(parseIp('10.1.2.3')!)).toEqual([10, 1, 2, 3]);
    expect(parseIp('10.1.2')).toBeNull();
    expect(parseIp('10.1.2.256')).toBeNull();
    expect(parseIp('010.1.2.3')).toBeNull();
    expect(Array.from(parseIPv6('::1')!)).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIPv6('::ffff:1.2.3.4')!.slice(10)).toEqual(new Uint8Array([0xff, 0xff, 1, 2, 3, 4]));
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIPv6('1::2::3')).toBeNull();
    expect(parseIPv6('fe80::1%eth0')).not.toBeNull();
  });
  it('matches CIDR prefixes on bit boundaries', () => {
    const n = parseCidr('10.0.0.0/9')!;
    expect(cidrContains(n, parseIp('10.127.255.255')!)).toBe(true);
    expect(cidrContains(n, parseIp('10.128.0.0')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('1.2.3.4')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32')!, parseIp('2001:db8:ffff::1')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32')!, parseIp('10.0.0.1')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('2001:db8::/129')).toBeNull();
  });
});

describe('filterConnections', () => {
  it('keeps everything with an empty filter', () => {
    expect(ids({})).toEqual([1, 2, 3]);
  });
  it('--host matches either end, whatever the spelling of an IPv6 address', () => {
    expect(ids({ host: ['10.0.0.2'] })).toEqual([1]);
    expect(ids({ host: ['192.168.1.5'] })).toEqual([2]);
    expect(ids({ host: ['2001:0db8:0000:0000:0000:0000:0000:0010'] })).toEqual([3]);
    expect(ids({ host: ['10.0.0.2,192.168.1.5'] })).toEqual([1, 2]);
  });
  it('--port and --net', () => {
    expect(ids({ port: ['443'] })).toEqual([3]);
    expect(ids({ port: ['40002'] })).toEqual([2]);
    expect(ids({ net: ['192.168.0.0/16'] })).toEqual([2]);
    expect(ids({ net: ['2001:db8::/48'] })).toEqual([3]);
    expect(ids({ net: ['10.0.0.0/8', '2001:db8::/32'] })).toEqual([1, 2, 3]);
  });
  it('--connection, --handshake, --close, --event; different filters must all match', () => {
    expect(ids({ connection: ['1,3'] })).toEqual([1, 3]);
    expect(ids({ handshake: ['refused'] })).toEqual([2]);
    expect(ids({ close: ['four_way'] })).toEqual([1, 3]);
    expect(ids({ event: ['refused'] })).toEqual([2]);
    expect(ids({ close: ['four_way'], port: ['443'] })).toEqual([3]);
    expect(ids({ handshake: ['refused'], port: ['443'] })).toEqual([]);
  });
  it('rejects unknown kinds and malformed values with the option named', () => {
    expect(() => parseFilter({ handshake: ['three-way'] })).toThrow(FilterError);
    expect(() => parseFilter({ handshake: ['three-way'] })).toThrow(/--handshake kind "three-way"/);
    expect(() => parseFilter({ close: ['reset,bogus'] })).toThrow(/bogus/);
    expect(() => parseFilter({ port: ['70000'] })).toThrow(/port/);
    expect(() => parseFilter({ net: ['10.0.0.0/40'] })).toThrow(/CIDR/);
    expect(() => parseFilter({ host: ['example.com'] })).toThrow(/not an IP address/);
    expect(() => parseFilter({ connection: ['0'] })).toThrow(/connection id/);
    expect(parseKinds('event', ['rst,fin', 'rst'], EVENT_KINDS)).toEqual(['rst', 'fin']);
  });
  it('tells whether it can judge from endpoints alone (for live events)', () => {
    expect(compileFilter(parseFilter({ host: ['10.0.0.1'] })).addressOnly).toBe(true);
    expect(compileFilter(parseFilter({ close: ['reset'] })).addressOnly).toBe(false);
  });
});
