#!/usr/bin/env node
/**
 * The `tcpshake` executable. `main(args, io)` parses the arguments with yargs (strict), runs the
 * command and resolves to the exit code; it is also importable for in-process use. Sub-commands are
 * listed in commands.ts (the registration point for check/report).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands.js';
import type { CliCommand } from './command.js';
import { STDIN_TOKEN, processIO, type CliIO } from './io.js';
import { UsageError } from './errors.js';
import { FilterError } from '../report/filter.js';
import { EXIT } from '../report/exitcode.js';
import { packageVersion } from './version.js';

export { commands } from './commands.js';
export type { CliCommand } from './command.js';

const USAGE_HINT = "Run 'tcpshake --help' for usage.\n";

class YargsUsage extends Error {}

export async function main(args: string[], io: CliIO, list: CliCommand[] = commands): Promise<number> {
  let code: number = EXIT.ok;
  // yargs-parser drops a bare `-` from variadic positionals; carry it through as a token no real
  // argument can spell (argv strings cannot hold NUL) and map it back in captureInputs().
  const parser = yargs(args.map((a) => (a === '-' ? STDIN_TOKEN : a)))
    .scriptName('tcpshake')
    .usage(
      '$0 [analyze] <capture...> [options]\n' +
        '$0 ladder <capture...> [--connection ID | --client IP:PORT]\n' +
        '$0 check [capture...] --expect FILE\n' +
        '$0 report <capture...> -o report.html\n' +
        '$0 merge <shard.ndjson...> [--format F]',
    )
    .strict()
    .exitProcess(false)
    .version(packageVersion())
    .help()
    .alias('h', 'help')
    .wrap(io.columns ? Math.min(io.columns, 110) : 100)
    .epilogue(
      'Exit codes: 0 ok, 1 what --fail-on names matched (or check: an expectation failed), 2 usage error, 3 unreadable input (the partial report is still printed).\n' +
        'Colour only on a terminal; NO_COLOR or --no-color turn it off.',
    )
    .fail((msg, err) => {
      // yargs' own validation (unknown option, bad choice, missing argument) and our .check()s.
      if (err && !(err.name === 'YError') && msg === undefined && !(err instanceof FilterError)) throw err;
      let text = msg ?? err?.message ?? 'usage error';
      if (/^Not enough non-option arguments: got 0/.test(text)) {
        // `tcpshake --bogus x.pcap`: the unknown option took the capture as its value, so yargs
        // complains about the missing capture first. Name the real mistake.
        const unknown = unknownOption(args, optionKeys(parser));
        text = unknown !== null ? `Unknown argument: ${unknown}` : 'no capture file given (- reads standard input)';
      }
      throw new YargsUsage(text);
    });
  for (const cmd of list) {
    parser.command({
      command: cmd.command,
      describe: cmd.describe,
      builder: cmd.builder,
      handler: async (argv) => {
        code = await cmd.run(restoreDash(argv as Record<string, unknown>), io);
      },
    });
  }
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof YargsUsage || e instanceof UsageError || e instanceof FilterError) {
      io.err(`tcpshake: ${e.message.trimEnd()}\n${USAGE_HINT}`);
      return EXIT.usage;
    }
    if (e instanceof Error && e.name === 'OutputClosed') return EXIT.ok;
    io.err(`tcpshake: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
  return code;
}

/**
 * Every option key and alias yargs knows at this point of the parse (the running command's), or
 * null when this yargs does not tell (`getOptions` is not in its typings).
 */
function optionKeys(parser: unknown): string[] | null {
  const get = (parser as { getOptions?: () => { key?: Record<string, unknown>; alias?: Record<string, string[]> } }).getOptions;
  if (typeof get !== 'function') return null;
  const o = get.call(parser);
  const keys = Object.keys(o.key ?? {});
  for (const [k, aliases] of Object.entries(o.alias ?? {})) keys.push(k, ...aliases);
  return keys;
}

/**
 * The first `--name` / `-x` in `args` that is none of the `known` option keys (aliases included;
 * `--no-name` and camelCase spellings count as `name`), or null. Clusters of short flags are not judged.
 */
export function unknownOption(args: readonly string[], known: readonly string[] | null): string | null {
  if (known === null) return null;
  const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const names = new Set(known.map(kebab));
  for (const a of args) {
    if (a === '--') break;
    const m = /^--?([^=]+)/.exec(a);
    if (!m || a === '-' || /^-\d/.test(a)) continue;
    const name = kebab(m[1]!);
    if (!a.startsWith('--') && name.length > 1) continue;
    if (names.has(name) || (name.startsWith('no-') && names.has(name.slice(3)))) continue;
    return m[1]!;
  }
  return null;
}

/** Puts the bare `-` back wherever the token ended up (positionals and option values alike). */
function restoreDash(argv: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(argv)) {
    out[k] = v === STDIN_TOKEN ? '-' : Array.isArray(v) ? v.map((x) => (x === STDIN_TOKEN ? '-' : x)) : v;
  }
  return out;
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // Through npm's bin symlink, argv[1] is the link: compare real paths.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  const io = processIO();
  main(hideBin(process.argv), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tcpshake: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
