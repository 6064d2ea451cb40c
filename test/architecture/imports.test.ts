/**
 * Imports run one way (docs/architecture.md): a folder of src/ may import only the folders before it
 * in LAYERS, so no stage knows the ones after it, and folders never form a cycle. Every import of
 * every src/**\/*.ts is read with TypeScript's own pre-processor (static, `import type`, `export …
 * from`, dynamic `import()`), so a new backwards import fails here whatever its form.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/**
 * The layers, bottom first. `index` is src/index.ts, the library's top: it may export from every
 * stage but the CLI. `bench` and `tools` are programs for developing tcpshake, over everything.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['model'],
  ['capture'],
  ['decode'],
  ['tracker'],
  ['flow'],
  ['pipeline'],
  ['report'],
  ['check'],
  ['index'],
  ['cli'],
  ['bench', 'tools'],
];

function rankOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The folder of src/ a path belongs to: its first directory, or the file's name (`index`) at the top. */
export function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.(d\.)?ts$/, '');
}

export interface ImportEdge {
  file: string;
  spec: string;
  from: string;
  to: string;
}

/** Every import between two folders of src/, from TypeScript's reading of the file text. */
export function folderImports(files: readonly string[], read: (file: string) => string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const info = ts.preProcessFile(read(file), true, true);
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      if (!spec.startsWith('.')) continue; // node: built-ins and packages
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) continue;
      const from = folderOf(file);
      const to = folderOf(target);
      if (from !== to) edges.push({ file: relative(SRC, file), spec, from, to });
    }
  }
  return edges;
}

/** Imports of a folder at or above its own layer (a later stage, or a sibling of the same layer). */
export function backwardImports(edges: readonly ImportEdge[]): string[] {
  return edges.filter((e) => rankOf(e.to) >= rankOf(e.from)).map((e) => `src/${e.file} (${e.from}) imports '${e.spec}' (${e.to})`);
}

/** The folder cycles of the import graph (each as a path a → b → … → a), whatever LAYERS says. */
export function folderCycles(edges: readonly ImportEdge[]): string[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    path.push(n);
    for (const m of [...(next.get(n) ?? [])].sort()) {
      if (state.get(m) === 'open') cycles.push([...path.slice(path.indexOf(m)), m].join(' → '));
      else if (!state.has(m)) visit(m);
    }
    path.pop();
    state.set(n, 'done');
  };
  for (const n of [...next.keys()].sort()) if (!state.has(n)) visit(n);
  return cycles;
}

describe('import direction', () => {
  const files = sourceFiles(SRC);
  const edges = folderImports(files, (f) => readFileSync(f, 'utf8'));

  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(100);
    // Some well-known edges, so that a parser finding nothing cannot pass the tests below.
    const pairs = new Set(edges.map((e) => `${e.from}>${e.to}`));
    for (const p of ['tracker>model', 'flow>tracker', 'pipeline>flow', 'report>model', 'cli>pipeline', 'index>pipeline']) expect(pairs, p).toContain(p);
  });

  it('places every folder of src/ in a layer', () => {
    const unplaced = [...new Set(files.map(folderOf))].filter((f) => rankOf(f) < 0);
    expect(unplaced, 'add the folder to LAYERS in test/architecture/imports.test.ts and docs/architecture.md').toEqual([]);
  });

  it('has no folder importing one of its own layer or a later one', () => {
    expect(backwardImports(edges)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('catches a backwards import and a cycle in any form', () => {
    const tracker = join(SRC, 'tracker', 'x.ts');
    const report = join(SRC, 'report', 'y.ts');
    const text: Record<string, string> = {
      [tracker]: "import type { Report } from '../report/y.js';\nconst m = await import('../report/y.js');\n",
      [report]: "export { a } from '../tracker/x.js';\n",
    };
    const found = folderImports([tracker, report], (f) => text[f]!);
    expect(backwardImports(found)).toEqual([
      "src/tracker/x.ts (tracker) imports '../report/y.js' (report)",
      "src/tracker/x.ts (tracker) imports '../report/y.js' (report)",
    ]);
    expect(folderCycles(found)).toEqual(['report → tracker → report']);
  });
});
