import { describe, expect, it } from 'vitest';
import { ndjsonEvent, renderNdjson } from '../../src/report/ndjson.js';
import { computeFindings } from '../../src/report/findings.js';
import { conn, ev, report } from './fixtures.js';

describe('ndjson', () => {
  it('writes one JSON object per line: connections, then a summary', () => {
    const r = report([conn({ id: 1 }), conn({ id: 2 })]);
    const text = renderNdjson(r, computeFindings(r));
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const objs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs.map((o) => o['type'])).toEqual(['connection', 'connection', 'summary']);
    expect(objs[0]!['id']).toBe(1);
    expect(objs[1]!['client']).toEqual({ ip: '10.0.0.1', port: 40002 });
    expect(objs[2]!['summary']).toEqual(r.summary);
    expect(objs[2]!['schemaVersion']).toBe(2);
    expect(Array.isArray(objs[2]!['findings'])).toBe(true);
    expect(objs[2]).not.toHaveProperty('connections');
  });

  it('event lines carry the connection id and endpoints', () => {
    const c = conn({ id: 7 });
    const line = ndjsonEvent(ev('rst', 75, 'server', { detail: 'x' }), c);
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toMatchObject({ type: 'event', connection: 7, kind: 'rst', frame: 75, by: 'server', detail: 'x', server: { ip: '10.0.0.2', port: 80 } });
  });
});
