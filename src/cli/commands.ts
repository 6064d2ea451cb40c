/**
 * THE REGISTRATION POINT for tcpshake's sub-commands. Each command module exports a `CliCommand`
 * (cli/command.ts: command, describe, builder, run(argv, io) → exit code); list it here and main.ts
 * wires it into yargs. Shared option groups (inputs, --msl/--idle-timeout, filters, --color) are in
 * cli/options.ts; analyzeOrFail / reportCaptureProblems in cli/analyze.ts give the standard
 * exit-3 handling and stderr messages.
 *
 * A new command: export a CliCommand from src/cli/<name>.ts, import it here and add it to the
 * array. The default command (`$0`) must stay `analyzeCommand`; order is the order of `--help`.
 */
import type { CliCommand } from './command.js';
import { analyzeCommand } from './analyze.js';
import { ladderCommand } from './ladder.js';
import { checkCommand } from './check.js';
import { reportCommand } from './report.js';
import { mergeCommand } from './merge.js';

export const commands: CliCommand[] = [analyzeCommand, ladderCommand, checkCommand, reportCommand, mergeCommand];
