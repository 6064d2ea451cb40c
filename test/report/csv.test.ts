import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, renderCsv } from '../../src/report/csv.js';
import { conn, ev } from './fixtures.js';

/** A small RFC 4180 reader, to check the writer round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
    i++;
  }
  return rows;
}

describe('csv', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180 §2)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(csvField(443)).toBe('443');
  });

  it('writes a header row and one CRLF-terminated row per connection', () => {
    const c1 = conn({ id: 1 });
    const c2 = conn({
      id: 2,
      client: { ip: '2001:db8::1', port: 5555 },
      close: { kind: 'reset', initiator: 'server', rstBy: 'server', finalAckLost: false, finalAckSeen: false },
      finalState: { client: 'CLOSED', server: 'CLOSED' },
      events: [ev('syn', 21, 'client'), ev('rst', 25, 'server', { detail: 'in window, "exact"' })],
    });
    const text = renderCsv([c1, c2]);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (r: string[], name: (typeof CSV_COLUMNS)[number]): string => r[CSV_COLUMNS.indexOf(name)]!;
    expect(col(rows[1]!, 'handshake')).toBe('three_way');
    expect(col(rows[1]!, 'initiator')).toBe('client');
    expect(col(rows[1]!, 'rst_by')).toBe('');
    expect(col(rows[1]!, 'final_ack_lost')).toBe('false');
    expect(col(rows[1]!, 'start')).toBe((1_700_000_001.123456).toFixed(6));
    expect(col(rows[1]!, 'events')).toBe('syn@11 handshake_complete@13');
    expect(col(rows[2]!, 'client_ip')).toBe('2001:db8::1');
    expect(col(rows[2]!, 'close')).toBe('reset');
    expect(col(rows[2]!, 'rst_by')).toBe('server');
    expect(col(rows[2]!, 'zeek_history')).toBe('ShADadFf');
    expect(col(rows[2]!, 'completeness')).toBe('31');
  });

  it('quotes a history holding a comma-free but quote-bearing value correctly', () => {
    const c = conn({ id: 3, zeek: { connState: 'OTH', history: '^d"x,' } });
    const rows = parseCsv(renderCsv([c]));
    expect(rows[1]![CSV_COLUMNS.indexOf('zeek_history')]).toBe('^d"x,');
  });
});
