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
