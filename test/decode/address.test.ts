import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/decode/index.js';
import { hex } from './helpers.js';

const v6 = (text: string): string => formatAddress(hex(text), 0, 16);

describe('formatAddress', () => {
  it('IPv4 dotted quad, at an offset', () => {
    expect(formatAddress(Uint8Array.from([9, 9, 192, 168, 0, 255, 9]), 2, 4)).toBe('192.168.0.255');
    expect(formatAddress(Uint8Array.from([0, 0, 0, 0]), 0, 4)).toBe('0.0.0.0');
  });

  it('IPv6 per RFC 5952 §4: lower case, no leading zeros, longest zero run compressed', () => {
    expect(v6('20010db8000000000000000000000001')).toBe('2001:db8::1');
    expect(v6('00000000000000000000000000000000')).toBe('::');
    expect(v6('00000000000000000000000000000001')).toBe('::1');
    expect(v6('fe800000000000000000000000000000')).toBe('fe80::');
    expect(v6('20010DB8ABCD0012000000000000FFFF')).toBe('2001:db8:abcd:12::ffff');
  });

  it('a single zero group is not compressed (§4.2.2); the longest run wins, the first on a tie (§4.2.3)', () => {
    expect(v6('20010db8000000010001000100010001')).toBe('2001:db8:0:1:1:1:1:1');
    expect(v6('20010db8000000000001000000000001')).toBe('2001:db8::1:0:0:1');
    expect(v6('20010000000000010000000000000001')).toBe('2001:0:0:1::1');
    expect(v6('00010002000300040005000600070008')).toBe('1:2:3:4:5:6:7:8');
  });

  it('IPv4-mapped addresses in mixed notation (§5)', () => {
    expect(v6('00000000000000000000ffffc0000201')).toBe('::ffff:192.0.2.1');
  });

  it('matches node for a spread of addresses', async () => {
    const { SocketAddress } = await import('node:net');
    for (const text of ['2001:db8:1::ab9:c0a8:102', 'fd00::2', '1::', '::2:3:4:5:6:7:8', '1:0:0:4::8', 'a:b:c:d:e:f:0:0']) {
      const canonical = new SocketAddress({ address: text, family: 'ipv6' }).address;
      const bytes = new Uint8Array(16);
      const groups = expandV6(text);
      groups.forEach((g, i) => {
        bytes[2 * i] = g >> 8;
        bytes[2 * i + 1] = g & 0xff;
      });
      expect(formatAddress(bytes, 0, 16)).toBe(canonical);
    }
  });
});

function expandV6(text: string): number[] {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  const t = tail ? tail.split(':').map((x) => parseInt(x, 16)) : [];
  return tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}
