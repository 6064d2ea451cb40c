import { describe, expect, it } from 'vitest';
import { loadExpectations, type Expectations } from '../../src/check/expectations.js';
import { evaluate } from '../../src/check/evaluate.js';
import { renderJunit, xmlEscape } from '../../src/check/junit.js';
import type { SuiteResult } from '../../src/check/suite.js';
import { closeByClient, finalAckLost, refused, report } from './fixtures.js';

// ------------------------------------------------------------ a small XML parser (no dependencies)

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;

function decodeEntities(s: string, where: number): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|[^;]*);?/g, (m, ent: string) => {
    if (!m.endsWith(';')) throw new Error(`bare '&' at ${where}`);
    if (ent === 'amp') return '&';
    if (ent === 'lt') return '<';
    if (ent === 'gt') return '>';
    if (ent === 'quot') return '"';
    if (ent === 'apos') return "'";
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    throw new Error(`unknown entity &${ent}; at ${where}`);
  });
}

/** Parses a well-formed XML document (elements, attributes, text, XML declaration); throws otherwise. */
function parseXml(xml: string): XmlElement {
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(xml.slice(0, end + 2))) throw new Error('bad XML declaration');
    i = end + 2;
  }
  const ws = (): void => {
    while (/\s/.test(xml[i] ?? '')) i++;
  };
  const element = (): XmlElement => {
    if (xml[i] !== '<') throw new Error(`expected '<' at ${i}`);
    i++;
    const nm = NAME.exec(xml.slice(i));
    if (!nm) throw new Error(`bad element name at ${i}`);
    const name = nm[0];
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const before = i;
      ws();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (before === i) throw new Error(`expected whitespace before attribute at ${i}`);
      const an = NAME.exec(xml.slice(i));
      if (!an) throw new Error(`bad attribute name at ${i}`);
      i += an[0].length;
      if (xml[i] !== '=' || xml[i + 1] !== '"') throw new Error(`expected ="..." at ${i}`);
      const end = xml.indexOf('"', i + 2);
      if (end < 0) throw new Error('unterminated attribute');
      const raw = xml.slice(i + 2, end);
      if (raw.includes('<')) throw new Error(`'<' in attribute value at ${i}`);
      if (an[0] in attrs) throw new Error(`duplicate attribute ${an[0]}`);
      attrs[an[0]] = decodeEntities(raw, i);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= xml.length) throw new Error(`unclosed <${name}>`);
      if (xml.startsWith('</', i)) {
        i += 2;
        if (!xml.startsWith(name, i)) throw new Error(`mismatched close tag at ${i}, expected </${name}>`);
        i += name.length;
        ws();
        if (xml[i] !== '>') throw new Error(`bad close tag at ${i}`);
        i++;
        return { name, attrs, children, text };
      }
      if (xml[i] === '<') {
        children.push(element());
        continue;
      }
      const next = xml.indexOf('<', i);
      const chunk = xml.slice(i, next < 0 ? xml.length : next);
      if (chunk.includes('>') && chunk.includes(']]>')) throw new Error(`']]>' in text at ${i}`);
      text += decodeEntities(chunk, i);
      i += chunk.length;
    }
  };
  ws();
  const root = element();
  ws();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)) throw new Error('control character not allowed in XML 1.0');
  return root;
}

// ------------------------------------------------------------ the JUnit schema's structure

const isCount = (s: string | undefined): boolean => s !== undefined && /^\d+$/.test(s);
const isTime = (s: string | undefined): boolean => s !== undefined && /^\d+(\.\d+)?$/.test(s);

/** Checks what the JUnit XSD (as Jenkins/GitLab/GitHub reporters read it) requires; returns problems. */
function validateJunit(root: XmlElement): string[] {
  const p: string[] = [];
  if (root.name !== 'testsuites') return [`root is <${root.name}>, not <testsuites>`];
  for (const a of ['name', 'tests', 'failures', 'errors', 'time']) if (!(a in root.attrs)) p.push(`testsuites lacks ${a}`);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') {
      p.push(`<${suite.name}> inside <testsuites>`);
      continue;
    }
    for (const a of ['name', 'tests', 'failures', 'errors', 'time']) if (!(a in suite.attrs)) p.push(`testsuite lacks ${a}`);
    if (!isCount(suite.attrs['tests']) || !isCount(suite.attrs['failures']) || !isCount(suite.attrs['errors'])) p.push('testsuite counts are not whole numbers');
    if (!isTime(suite.attrs['time'])) p.push(`testsuite time ${suite.attrs['time']} is not a decimal`);
    let sTests = 0;
    let sFail = 0;
    let sErr = 0;
    for (const c of suite.children) {
      if (c.name === 'properties') {
        for (const prop of c.children) if (prop.name !== 'property' || !('name' in prop.attrs) || !('value' in prop.attrs)) p.push('bad <property>');
        continue;
      }
      if (c.name !== 'testcase') {
        p.push(`<${c.name}> inside <testsuite>`);
        continue;
      }
      sTests++;
      for (const a of ['name', 'classname', 'time']) if (!(a in c.attrs)) p.push(`testcase lacks ${a}`);
      if (!isTime(c.attrs['time'])) p.push('testcase time is not a decimal');
      if (c.children.length > 1) p.push(`testcase ${c.attrs['name']} has ${c.children.length} children`);
      for (const f of c.children) {
        if (f.name !== 'failure' && f.name !== 'error') p.push(`<${f.name}> inside <testcase>`);
        if (!('message' in f.attrs)) p.push(`<${f.name}> lacks message`);
        if (f.name === 'failure') sFail++;
        else sErr++;
      }
    }
    if (Number(suite.attrs['tests']) !== sTests) p.push(`testsuite tests=${suite.attrs['tests']} but ${sTests} testcases`);
    if (Number(suite.attrs['failures']) !== sFail) p.push(`testsuite failures=${suite.attrs['failures']} but ${sFail} <failure>`);
    if (Number(suite.attrs['errors']) !== sErr) p.push(`testsuite errors=${suite.attrs['errors']} but ${sErr} <error>`);
    tests += sTests;
    failures += sFail;
    errors += sErr;
  }
  if (Number(root.attrs['tests']) !== tests) p.push(`testsuites tests=${root.attrs['tests']} but ${tests}`);
  if (Number(root.attrs['failures']) !== failures) p.push(`testsuites failures=${root.attrs['failures']} but ${failures}`);
  if (Number(root.attrs['errors']) !== errors) p.push(`testsuites errors=${root.attrs['errors']} but ${errors}`);
  return p;
}

// ------------------------------------------------------------ tests

function load(text: string, file = 'x.expect.json'): Expectations {
  const r = loadExpectations(text, file);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.expectations;
}

const RULES = load(`{"rules":[
  { "select": { "client": "10.99.0.1:40001", "server": "10.99.0.2:8080" }, "note": "FIN <close> & \\"quotes\\"", "expect": { "close.kind": "three_way", "close.finalAckLost": false } },
  { "capture": { "connections": 2 } },
  { "policy": "no_refused" },
  { "policy": "no_reset_by_client" }
]}`);

function suite(over: Partial<SuiteResult>): SuiteResult {
  return { expectationsFile: 'samples/a&b.expect.json', captures: ['a<b>.pcap'], problems: [], inputErrors: [], results: [], time: 0.25, ...over };
}

describe('JUnit XML', () => {
  it('the validator itself rejects broken documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/mismatched/);
    expect(() => parseXml('<a x="1 & 2"/>')).toThrow(/bare '&'/);
    expect(() => parseXml('<a>x</a><b/>')).toThrow(/after the root/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/'<' in attribute/);
    expect(validateJunit(parseXml('<testsuites name="x" tests="1" failures="0" errors="0" time="0"><testsuite name="s" tests="2" failures="0" errors="0" time="0"><testcase name="c" classname="k" time="0"><failure/></testcase></testsuite></testsuites>'))).toEqual([
      '<failure> lacks message',
      'testsuite tests=2 but 1 testcases',
      'testsuite failures=0 but 1 <failure>',
      'testsuites failures=0 but 1',
    ]);
  });

  it('one testsuite per expectations file, one testcase per rule, failures with expected/seen/frames', () => {
    const bad = finalAckLost(0);
    const results = evaluate(report([bad, refused(1)]), RULES);
    const ok = evaluate(report([closeByClient(0), closeByClient(1)]), RULES);
    const xml = renderJunit([suite({ results }), suite({ expectationsFile: 'second.expect.json', results: ok })], { timestamp: '2026-01-01T00:00:00' });
    const root = parseXml(xml);
    expect(validateJunit(root)).toEqual([]);
    expect(root.attrs).toMatchObject({ tests: '8', failures: '2', errors: '0' });
    const [first, second] = root.children;
    expect(first?.attrs).toMatchObject({ name: 'samples/a&b.expect.json', tests: '4', failures: '2', errors: '0', time: '0.250', timestamp: '2026-01-01T00:00:00' });
    expect(second?.attrs).toMatchObject({ name: 'second.expect.json', tests: '4', failures: '0' });
    const cases = (first?.children ?? []).filter((c) => c.name === 'testcase');
    expect(cases.map((c) => c.attrs['name'])).toEqual([
      'rule 1: client 10.99.0.1:40001 → server 10.99.0.2:8080 (FIN <close> & "quotes")',
      'rule 2: capture connections',
      'rule 3: policy no_refused',
      'rule 4: policy no_reset_by_client',
    ]);
    const failure = cases[0]?.children[0];
    expect(failure?.name).toBe('failure');
    expect(failure?.attrs['message']).toBe('#1 close.kind: expected "three_way", seen "four_way"; #1 close.finalAckLost: expected false, seen true');
    expect(failure?.text).toContain('look at frames 1–10; fin @6, fin @8, fin_retransmit @9, final_ack_lost @9, close_complete @10');
    expect(failure?.text).toContain('filter: ip.addr==10.99.0.1 && tcp.port==40001');
    expect(cases[2]?.children[0]?.attrs['message']).toBe('#2: connection refused (SYN answered by RST)');
    expect(cases[1]?.children).toEqual([]);
    const props = first?.children.find((c) => c.name === 'properties');
    expect(props?.children.map((p) => p.attrs['value'])).toEqual(['a<b>.pcap']);
  });

  it('a bad expectations file and an unreadable capture are <error>s', () => {
    const xml = renderJunit([
      suite({ problems: [{ file: 'x.expect.json', line: 7, column: 9, message: 'unknown path "close.kindd"' }] }),
      suite({ expectationsFile: 'y.expect.json', inputErrors: ['y.pcap: no such file or directory'] }),
    ]);
    const root = parseXml(xml);
    expect(validateJunit(root)).toEqual([]);
    expect(root.attrs).toMatchObject({ tests: '2', failures: '0', errors: '2' });
    const errs = root.children.flatMap((s) => s.children.filter((c) => c.name === 'testcase')).map((c) => c.children[0]);
    expect(errs.map((e) => [e?.name, e?.attrs['message']])).toEqual([
      ['error', 'x.expect.json:7:9: unknown path "close.kindd"'],
      ['error', 'y.pcap: no such file or directory'],
    ]);
  });

  it('escapes everything a capture or a note can carry, and stays well-formed', () => {
    expect(xmlEscape(`<a href="x">&'\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD');
    const c = finalAckLost(0);
    c.displayFilter = 'tcp.port == 1 && ip.src == 10.0.0.1 ]]> <script>\u0007';
    c.close.detail = 'line1\nline2';
    const results = evaluate(report([c]), load(`{"rules":[{ "select": "all", "note": "\\u0000 & ]]>", "expect": { "close.kind": "three_way" } }, { "policy": "all_closed" }]}`));
    const xml = renderJunit([suite({ results, description: 'a "desc" <b>\nmulti-line' })]);
    const root = parseXml(xml);
    expect(validateJunit(root)).toEqual([]);
    const desc = root.children[0]?.children.find((x) => x.name === 'properties')?.children.find((p) => p.attrs['name'] === 'description');
    expect(desc?.attrs['value']).toBe('a "desc" <b>\nmulti-line');
    expect(root.children[0]?.children[1]?.children[0]?.text).toContain('tcp.port == 1 && ip.src == 10.0.0.1 ]]> <script>\uFFFD');
  });
});
