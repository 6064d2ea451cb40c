/**
 * `tcpshake merge SHARD.ndjson... [--format F]`: the report one run over the whole captures prints,
 * from the ndjson of its shards (`tcpshake --shard I/N`, one run per shard, on as many cores or
 * machines as there are shards). The connections are merged back into the single run's order and
 * numbering (pipeline/shard-merge.ts) and go through the same output stage as a run
 * (report/outputs.ts), so every format, filter, finding and `--fail-on` comes out as one run's, with
 * the same exit code.
 *
 * Also the `--shard I/N` option of the analyze command (shardOption / shardFrom), kept here beside
 * the command that reads what it writes.
 */
import type { Argv } from 'yargs';
import { OutputWriter } from '../pipeline/stream.js';
import { parseShard, type ShardSpec } from '../pipeline/shard.js';
import { mergeShards, openShards, ShardMergeError } from '../pipeline/shard-merge.js';
import { compileFilter, splitList } from '../report/filter.js';
import { EXIT, parseFailOn, type FailOn } from '../report/exitcode.js';
import { FailOnTally } from './fail-on.js';
import { OUTPUT_FORMATS, reportOutput, TEXT_TABLE_MAX, type OutputFormat } from '../report/outputs.js';
import type { CliCommand } from './command.js';
import { orFail, reportCaptureProblems } from './analyze.js';
import { useColor, type CliIO } from './io.js';
import { colorOption, filterFrom, filterOptions } from './options.js';
import { UsageError } from './errors.js';

/** `--shard I/N` for the analyze command. */
export function shardOption<T>(y: Argv<T>) {
  return y.option('shard', {
    type: 'string',
    describe:
      'analyse only shard I of N (the connections whose flow hash falls in it; every file is still read), as ndjson for `tcpshake merge`',
    group: 'Output:',
  });
}

/**
 * The shard to analyse, or undefined; throws UsageError when --shard does not parse or is combined
 * with what a shard cannot write: another format than ndjson, --events, or a filter (ids are the
 * shard's own until merged, and a filtered shard would leave connections out of the numbering: give
 * the filter to `tcpshake merge`).
 */
export function shardFrom(argv: Record<string, unknown>): ShardSpec | undefined {
  const raw = argv['shard'];
  if (raw === undefined) return undefined;
  let spec: ShardSpec;
  try {
    spec = parseShard(String(raw));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const format = argv['format'] as string | undefined;
  if (format !== undefined && format !== 'ndjson') throw new UsageError(`--shard writes ndjson for tcpshake merge; merge prints --format ${format}`);
  if (argv['events'] === true) throw new UsageError('--shard cannot be combined with --events');
  if (!compileFilter(filterFrom(argv)).empty) throw new UsageError('--shard cannot be combined with a filter: give the filter to tcpshake merge');
  return spec;
}

function builder(y: Argv): Argv {
  return colorOption(
    filterOptions(
      y
        .positional('shards', { describe: 'the ndjson of every shard of one run (--shard 1/N … N/N)', type: 'string', demandOption: true })
        .option('format', { alias: 'f', choices: OUTPUT_FORMATS, describe: 'output format', defaultDescription: 'text', group: 'Output:' })
        .option('all', {
          type: 'boolean',
          describe: `text: list every connection (past ${TEXT_TABLE_MAX} connections only the notable ones are listed)`,
          group: 'Output:',
        })
        .option('fail-on', { type: 'string', describe: 'as for tcpshake analyze', group: 'Output:' })
        .check((argv) => {
          const f = argv['fail-on'] as string | string[] | undefined;
          if (f !== undefined) parseFailOn(([] as string[]).concat(f));
          return true;
        }),
    ),
  )
    .example("parallel tcpshake --shard {}/4 big.pcap '>' s{}.ndjson ::: 1 2 3 4", 'four shards, one per core')
    .example('$0 merge s*.ndjson -f csv', 'the csv one run over big.pcap prints');
}

async function run(argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const paths = argv['shards'] as string[];
  const format = (argv['format'] as OutputFormat | undefined) ?? 'text';
  const filter = filterFrom(argv);
  const compiled = compileFilter(filter);
  const failOnRaw = argv['fail-on'] as string | string[] | undefined;
  const failOn: FailOn | null = failOnRaw === undefined ? null : parseFailOn(splitList(([] as string[]).concat(failOnRaw)));
  const out = new OutputWriter({ write: (chunk) => io.out(chunk), backedUp: () => io.backedUp?.() });

  let set;
  try {
    set = await openShards(paths);
  } catch (e) {
    if (!(e instanceof ShardMergeError)) {
      const r = await orFail(() => Promise.reject(e), io);
      return 'exit' in r ? r.exit : EXIT.input;
    }
    io.err(`tcpshake: ${e.message}\n`);
    return EXIT.input;
  }

  const failOnTally = new FailOnTally(failOn);
  const stage = reportOutput(
    {
      format,
      filter: compiled,
      text: {
        color: useColor(io, argv['color'] as boolean | undefined),
        details: filter.ids !== undefined,
        all: argv['all'] === true,
        files: set.captures.map((c) => c.file),
        ...(io.columns ? { width: Math.min(io.columns, 120) } : {}),
      },
      ...(failOnTally.noteConnection ? { onShown: failOnTally.noteConnection } : {}),
    },
    out,
  );
  try {
    const result = await orFail(async () => {
      let n = 0;
      const report = await mergeShards(set, (c) => {
        stage.add(c);
        // As a run does after each chunk of input: let written text leave, and wait while it backs up.
        if (++n % 256 !== 0) return undefined;
        out.flush();
        return out.backedUp();
      });
      out.flush();
      await stage.end(report, out);
      return report;
    }, io);
    if ('exit' in result) return result.exit;
    reportCaptureProblems(result.captures, io);
    return await failOnTally.finish(result.captures, stage.findings(), io);
  } catch (e) {
    if (e instanceof ShardMergeError) {
      io.err(`tcpshake: ${e.message}\n`);
      return EXIT.input;
    }
    throw e;
  } finally {
    stage.close();
  }
}

export const mergeCommand: CliCommand = {
  command: 'merge <shards..>',
  describe: 'print the report of a run from the ndjson of its shards (--shard I/N)',
  builder,
  run,
};
