/**
 * `tcpshake check [capture...] --expect FILE`: evaluate an expectations file against what the
 * captures show, for CI. Exit 0 when every rule holds, 1 when one fails, 2 for a bad expectations
 * file (with its line and column), 3 when a capture cannot be read. `--update` rewrites the file
 * from the captures (a new baseline); `--junit` and `--format markdown` feed CI reporters.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { AnalyzeOptions, CaptureInput } from '../pipeline/analyze.js';
import type { CaptureWarning } from '../capture/frame.js';
import type { Report } from '../model/report.js';
import { analyze } from '../pipeline/analyze.js';
import { loadExpectations, type Expectations } from '../check/expectations.js';
import { evaluate } from '../check/evaluate.js';
import { writeBaseline } from '../check/baseline.js';
import { captureCandidates } from '../check/files.js';
import { exitCode, type SuiteResult } from '../check/suite.js';
import { renderText } from '../check/text.js';
import { renderMarkdown } from '../check/markdown.js';
import { renderJunit } from '../check/junit.js';
import type { CliCommand } from './command.js';
import type { CliIO } from './io.js';
import { UsageError, inputErrorLine, warningLine } from './errors.js';
import { analyzeOptionsFrom, captureInputs, trackerOptions, worthReadingOnWorker } from './options.js';

export const CHECK_FORMATS = ['text', 'markdown'] as const;

function builder(y: Argv): Argv {
  return trackerOptions(
    y
      .positional('captures', {
        describe: 'pcap or pcapng files (default: the "captures" listed in the expectations file, relative to it); - reads standard input',
        type: 'string',
        array: true,
      })
      .option('expect', {
        alias: 'e',
        type: 'string',
        array: true,
        demandOption: true,
        requiresArg: true,
        describe: 'expectations file (JSON); several may follow one --expect (a shell glob), so put captures before it',
      })
      .option('update', {
        type: 'boolean',
        default: false,
        describe: 'rewrite the expectations file from what the captures show now (creates it when missing): rules per service',
      })
      .option('per-connection', {
        type: 'boolean',
        default: false,
        describe: 'with --update: new rules select each connection by its client and server ports (for captures whose ports are pinned)',
      })
      .option('junit', { type: 'string', requiresArg: true, describe: 'also write a JUnit XML report to this file' })
      .option('format', {
        alias: 'f',
        choices: CHECK_FORMATS,
        default: 'text',
        describe: 'standard output: PASS/FAIL lines, or a Markdown job summary (for $GITHUB_STEP_SUMMARY)',
      }),
  )
    .example('$0 check --expect samples/close.expect.json', 'check the captures the file lists')
    .example('$0 check today.pcap --expect service.expect.json --junit junit.xml', 'check a capture, with a JUnit report')
    .example('$0 check today.pcap --expect service.expect.json --update', 'accept what the capture shows as the new baseline');
}

function errnoText(e: unknown): string {
  const line = inputErrorLine(e);
  if (line) return line.replace(/^tcpshake: /, '').trimEnd();
  return e instanceof Error ? e.message : String(e);
}

interface Loaded {
  file: string;
  existing: Expectations | null;
  /** The file's text as read (null when missing or unreadable). */
  text: string | null;
  suite: SuiteResult;
}

async function loadFile(file: string, update: boolean): Promise<Loaded> {
  const suite: SuiteResult = { expectationsFile: file, captures: [], problems: [], inputErrors: [], results: [], time: 0 };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (update && (e as NodeJS.ErrnoException).code === 'ENOENT') return { file, existing: null, text: null, suite };
    suite.problems.push({ file, line: 1, column: 1, message: `cannot read the expectations file: ${errnoText(e)}` });
    return { file, existing: null, text: null, suite };
  }
  const r = loadExpectations(text, file);
  if (!r.ok) {
    suite.problems.push(...r.errors);
    return { file, existing: null, text, suite };
  }
  if (r.expectations.description !== undefined) suite.description = r.expectations.description;
  return { file, existing: r.expectations, text, suite };
}

/** Relative path from the expectations file's directory, with forward slashes (portable in the file). */
function relativeTo(expectFile: string, capture: string): string {
  return path.relative(path.dirname(path.resolve(expectFile)), path.resolve(capture)).split(path.sep).join('/');
}

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const expectFiles = (argv['expect'] as string[] | undefined) ?? [];
  const captureArgs = ((argv['captures'] as string[] | undefined) ?? []).map(String);
  const update = argv['update'] === true;
  const perConnection = argv['per-connection'] === true;
  if (perConnection && !update) throw new UsageError('--per-connection says how --update writes new rules: use it with --update');
  const format = (argv['format'] as (typeof CHECK_FORMATS)[number] | undefined) ?? 'text';
  const junit = argv['junit'] as string | undefined;
  if (expectFiles.length === 0) throw new UsageError('--expect FILE is required');
  // --expect takes several files (a shell glob), so it also swallows captures written after it.
  const misplaced = expectFiles.find((f) => /\.(pcap|pcapng|cap|gz)$/i.test(f));
  if (misplaced) throw new UsageError(`${misplaced} looks like a capture: put capture files before --expect (it takes every file after it)`);
  if (update && expectFiles.length > 1 && captureArgs.length > 0) {
    throw new UsageError('--update with capture arguments takes one --expect file (each file would get the same baseline)');
  }
  if (captureArgs.filter((c) => c === '-').length > 0 && expectFiles.length > 1) {
    throw new UsageError('standard input (-) can be checked against one --expect file only');
  }
  const options: AnalyzeOptions = analyzeOptionsFrom(argv);

  // Captures given on the command line are read once and checked against every file.
  const reports = new Map<string, Promise<{ report: Report | null; errors: string[]; time: number }>>();
  const analyzeOnce = (displayNames: string[], inputs: CaptureInput[]) => {
    const key = JSON.stringify(displayNames);
    let p = reports.get(key);
    if (!p) {
      p = (async () => {
        const t0 = io.now();
        const warnings: CaptureWarning[] = [];
        try {
          const report = await analyze(inputs, { ...options, readOnWorker: worthReadingOnWorker(inputs), onWarning: (w) => warnings.push(w) });
          // A capture that stopped early is reported once, as an error, not also as a warning.
          const stops = report.captures.flatMap((c) => (c.error ? [c.error] : []));
          const same = (a: CaptureWarning, b: CaptureWarning) => a.file === b.file && a.frame === b.frame && a.offset === b.offset && a.message === b.message;
          for (const w of warnings) if (!stops.some((e) => same(e, w))) io.err(warningLine(w));
          const errors = stops.map((e) => `${e.file}: frame ${e.frame} at byte offset ${e.offset}: ${e.message}`);
          return { report, errors, time: (io.now() - t0) / 1000 };
        } catch (e) {
          const line = inputErrorLine(e);
          if (line === null) throw e;
          return { report: null, errors: [line.replace(/^tcpshake: /, '').trimEnd()], time: (io.now() - t0) / 1000 };
        }
      })();
      reports.set(key, p);
    }
    return p;
  };

  const suites: SuiteResult[] = [];
  for (const file of expectFiles) {
    const loaded = await loadFile(file, update);
    const suite = loaded.suite;
    suites.push(suite);
    if (suite.problems.length) continue; // exit 2: a bad file is never evaluated (nor overwritten)

    let names: string[];
    let inputs: CaptureInput[];
    if (captureArgs.length) {
      names = captureArgs;
      inputs = captureInputs(captureArgs, io);
    } else {
      const listed = loaded.existing?.captures ?? [];
      if (listed.length) {
        const dir = path.dirname(file);
        names = listed.map((c) => path.join(dir, c));
      } else {
        // No list: the capture next to the file with the same name (samples/x.expect.json → samples/x.pcap).
        const found = captureCandidates(file).find((c) => existsSync(c));
        if (!found) {
          throw new UsageError(
            loaded.existing
              ? `${file} lists no "captures" and there is no ${path.basename(captureCandidates(file)[0] ?? '')} (or .pcapng) next to it: give the capture files as arguments`
              : `${file} does not exist yet: give the capture files to write its first baseline from`,
          );
        }
        names = [found];
      }
      inputs = names;
    }
    suite.captures = names;

    const t0 = io.now();
    const { report, errors, time } = await analyzeOnce(names, inputs);
    suite.inputErrors.push(...errors);
    // Exit 3: rules judged on a capture that could not be read to the end would only add noise.
    if (!report || errors.length) continue;

    let expectations = loaded.existing;
    if (update) {
      const recorded = captureArgs.filter((c) => c !== '-').map((c) => relativeTo(file, c));
      const { text, changes } = writeBaseline(report, loaded.existing, { ...(recorded.length ? { captures: recorded } : {}), perConnection });
      const reloaded = loadExpectations(text, file);
      if (!reloaded.ok) {
        // writeBaseline only writes what loadExpectations reads: this is a bug, not the user's file.
        throw new Error(`baseline for ${file} does not load back: ${reloaded.errors[0]?.message}`);
      }
      const dir = path.dirname(file);
      if (dir) await mkdir(dir, { recursive: true });
      if (text === loaded.text) {
        io.err(`tcpshake: ${file} is up to date\n`);
      } else {
        await writeFile(file, text);
        const note = loaded.existing && changes.length === 0 ? ' (rewritten in the canonical layout; no value changed)' : '';
        io.err(`tcpshake: ${loaded.existing ? 'updated' : 'created'} ${file}${note}\n`);
      }
      for (const c of changes) io.err(`  ${c}\n`);
      expectations = reloaded.expectations;
      if (expectations.description !== undefined) suite.description = expectations.description;
    }
    if (expectations) suite.results = evaluate(report, expectations);
    suite.time = time + (io.now() - t0) / 1000;
  }

  if (format === 'markdown') io.out(renderMarkdown(suites));
  else io.out(renderText(suites));

  if (junit !== undefined) {
    try {
      const dir = path.dirname(junit);
      if (dir) await mkdir(dir, { recursive: true });
      await writeFile(junit, renderJunit(suites, { timestamp: new Date().toISOString().replace(/\.\d+Z$/, '') }));
    } catch (e) {
      io.err(`tcpshake: cannot write the JUnit report ${junit}: ${errnoText(e)}\n`);
      return 3;
    }
  }
  // Markdown goes to a job summary file: say on stderr too what makes the file unusable.
  if (format === 'markdown') for (const s of suites) for (const p of s.problems) io.err(`tcpshake: ${p.file}:${p.line}:${p.column}: ${p.message}\n`);
  return exitCode(suites);
}

export const checkCommand: CliCommand = {
  command: 'check [captures..]',
  describe: 'check the connections of captures against an expectations file (for CI)',
  builder,
  run,
};
