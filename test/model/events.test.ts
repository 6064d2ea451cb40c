import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE, EVENT_KINDS } from '../../src/model/events.js';

describe('events catalogue', () => {
  it('describes every EventKind, and nothing else', () => {
    expect(Object.keys(EVENT_CATALOGUE).sort()).toEqual([...EVENT_KINDS].sort());
    for (const k of EVENT_KINDS) {
      expect(EVENT_CATALOGUE[k].title.length).toBeGreaterThan(0);
      expect(EVENT_CATALOGUE[k].description.length).toBeGreaterThan(20);
    }
  });
  it('keeps its flags consistent with each other', () => {
    for (const k of EVENT_KINDS) {
      const info = EVENT_CATALOGUE[k];
      // An anomaly is always worth a ladder diagram and a look.
      if (info.anomaly) expect(info.severity, k).toBe('warning');
      // no_anomalies fails only on anomalies.
      if (info.policyAnomaly) expect(info.anomaly, k).toBe(true);
      // What a handshake or close kind already says is ordinary: neither a milestone nor trouble.
      if (info.impliedByKind) expect(info.severity, k).toBe('info');
      // A routine milestone is a segment of its own, drawn as its arrow.
      if (info.severity === 'routine') expect(info.onLadder, k).toBe('arrow');
    }
  });
  it('names the groupings renderers and checks rely on', () => {
    const where = (p: (i: (typeof EVENT_CATALOGUE)[keyof typeof EVENT_CATALOGUE]) => boolean): string[] => EVENT_KINDS.filter((k) => p(EVENT_CATALOGUE[k]));
    expect(where((i) => i.severity === 'routine')).toEqual(['syn', 'syn_ack', 'handshake_complete', 'fin', 'close_complete']);
    expect(where((i) => i.onLadder === 'unseen')).toEqual(['segment_not_captured']);
    expect(where((i) => i.impliedByKind)).toEqual(['half_close', 'midstream_start', 'open_at_end']);
    expect(where((i) => i.anomaly && !i.policyAnomaly)).toEqual(['final_ack_lost', 'syn_ack_lost', 'segment_not_captured', 'reordered', 'direction_not_captured']);
  });
  it('docs/events.md has a section with a paragraph for every EventKind', () => {
    const md = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const sections = new Map<string, string>();
    const parts = md.split(/^## /m).slice(1);
    for (const p of parts) {
      const nl = p.indexOf('\n');
      sections.set(p.slice(0, nl).trim(), p.slice(nl + 1).trim());
    }
    for (const k of EVENT_KINDS) {
      expect(sections.has(k), `section for ${k}`).toBe(true);
      expect(sections.get(k)!.length, `paragraph for ${k}`).toBeGreaterThan(80);
    }
    for (const s of sections.keys()) expect(EVENT_KINDS as readonly string[]).toContain(s);
  });
});
