/**
 * `npm run bench`: generate a synthetic capture (see generate.ts), then time, in one run, every output
 * of tcpshake (json, ndjson, text, csv, zeek and the HTML report) against a bare pcap-parser loop and,
 * when installed, tcptrace and tshark.
 * Each command runs several times; the table shows medians of wall time and peak RSS (from
 * `/usr/bin/time`), with ratios to the bare loop, and checks the project's performance targets.
 *
 *   npm run bench                         # large preset, 5 repetitions
 *   npm run bench -- --preset small --repeat 3
 *   npm run bench -- --flatness           # also every streaming output on a capture four times longer
 *   npm run bench -- --floor              # also time JSON.stringify of the json report's connections
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCapture, PRESETS, type GeneratorOptions } from './generate.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'cli', 'main.js');
const bareLoop = join(root, 'dist', 'bench', 'bare-loop.js');
const stringifyFloor = join(root, 'dist', 'bench', 'stringify-floor.js');

/** The outputs that stream (all but json, whose target is its speed), timed and checked for flatness. */
const STREAMING_FORMATS = ['ndjson', 'text', 'csv', 'zeek'] as const;

function formatArgv(format: (typeof STREAMING_FORMATS)[number], capture: string, _workDir: string): string[] {
  return format === 'text' ? ['node', cli, capture] : ['node', cli, capture, '--format', format];
}

interface Measurement {
  name: string;
  wall: number;
  /** User plus system CPU seconds, all threads. */
  cpu: number;
  rss: number;
  runs: number;
}

function usage(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function which(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `argv` under /usr/bin/time with stdout to /dev/null (or to `stdoutFd`); returns wall seconds,
 * CPU seconds (user plus system) and peak RSS bytes.
 */
function timeOnce(argv: string[], workDir: string, stdoutFd?: number): { wall: number; cpu: number; rss: number } {
  const timeFile = join(workDir, 'time.txt');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...argv], {
    stdio: ['ignore', stdoutFd ?? 'ignore', 'pipe'],
    maxBuffer: 64 << 20,
  });
  // tcpshake exits 1 when it has findings, which a synthetic capture with RSTs has: not a failure here.
  if (result.status !== 0 && result.status !== 1) {
    usage(`${argv.join(' ')} failed (exit ${result.status}): ${result.stderr.toString().slice(0, 500)}`);
  }
  // /usr/bin/time puts a "Command exited with non-zero status" line first when the exit is not 0.
  const [wall, kb, user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { wall: wall!, cpu: user! + sys!, rss: kb! * 1024 };
}

function measure(name: string, argv: string[], repeat: number, workDir: string): Measurement {
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  const rsss: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const { wall, cpu, rss } = timeOnce(argv, workDir);
    walls.push(wall);
    cpuTimes.push(cpu);
    rsss.push(rss);
    process.stderr.write(
      `  ${name}: run ${i + 1}/${repeat} ${wall.toFixed(2)} s, CPU ${cpu.toFixed(2)} s, ${(rss / 2 ** 20).toFixed(0)} MB\n`,
    );
  }
  return { name, wall: median(walls), cpu: median(cpuTimes), rss: median(rsss), runs: repeat };
}

interface StringifyFloor {
  connections: number;
  /** Characters of JSON the connections make. */
  chars: number;
  /** Median seconds of JSON.stringify over all connections. */
  seconds: number;
}

/**
 * What writing the json report's connection lines costs on its own: tcpshake writes its json report
 * to a file once, then stringify-floor.js times JSON.stringify of its connections, `repeat` times,
 * each in a process of its own.
 */
function measureStringifyFloor(capture: string, repeat: number, workDir: string): StringifyFloor {
  const report = join(workDir, 'floor-report.json');
  const fd = openSync(report, 'w');
  try {
    timeOnce(['node', cli, capture, '--format', 'json'], workDir, fd);
  } finally {
    closeSync(fd);
  }
  const seconds: number[] = [];
  let last: StringifyFloor | undefined;
  for (let i = 0; i < repeat; i++) {
    const result = spawnSync('node', [stringifyFloor, report], { encoding: 'utf8' });
    if (result.status !== 0) usage(`stringify-floor failed (exit ${result.status}): ${result.stderr.slice(0, 500)}`);
    last = JSON.parse(result.stdout) as StringifyFloor;
    seconds.push(last.seconds);
    process.stderr.write(`  JSON.stringify of the connections: run ${i + 1}/${repeat} ${last.seconds.toFixed(2)} s\n`);
  }
  rmSync(report, { force: true });
  return { ...last!, seconds: median(seconds) };
}

async function ensureCapture(workDir: string, name: string, options: GeneratorOptions): Promise<string> {
  const key = `${name}-${options.connections}-${options.exchanges}-${options.payload}-${options.window}-${options.seed}`;
  const path = join(workDir, `${key}.pcap`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path} ...\n`);
    const { packets } = await generateCapture(`${path}.tmp`, options);
    rmSync(path, { force: true });
    spawnSync('mv', [`${path}.tmp`, path]);
    process.stderr.write(`  ${packets} packets\n`);
  }
  return path;
}

function countPackets(path: string): number {
  const result = spawnSync('node', [bareLoop, path], { encoding: 'utf8' });
  return Number(result.stdout.trim());
}

/**
 * The json target set against what cannot be cut: within 1.5× the bare loop's wall time, the machine's
 * cores have that many CPU seconds at most; pcap-parser's own pass (the bare loop's CPU time) and
 * JSON.stringify of the connections take their share first, and the rest is what is left for decoding,
 * flows, trackers, reports, output and garbage collection.
 */
function floorLines(floor: StringifyFloor, bare: Measurement, json: Measurement): string[] {
  const cores = cpus().length;
  const budget = 1.5 * bare.wall * cores;
  const left = budget - bare.cpu - floor.seconds;
  const jsonRest = json.cpu - bare.cpu - floor.seconds;
  return [
    `JSON.stringify of the json report's ${floor.connections.toLocaleString('en-US')} connections ` +
      `(${(floor.chars / 1e6).toFixed(0)} MB of JSON), in a process of its own: ${floor.seconds.toFixed(2)} s, ` +
      `${(floor.seconds / bare.wall).toFixed(2)}× the bare loop's wall time.`,
    `The json target (${(1.5 * bare.wall).toFixed(2)} s) gives ${cores} cores at most ${budget.toFixed(2)} CPU seconds; ` +
      `after pcap-parser's pass (${bare.cpu.toFixed(2)} s) and JSON.stringify, ` +
      (left > 0
        ? `${left.toFixed(2)} s would be left for everything else, which takes ${jsonRest.toFixed(2)} s of json's ` +
          `${json.cpu.toFixed(2)} s now (${(jsonRest / left).toFixed(1)}× that).`
        : `nothing would be left for everything else, which takes ${jsonRest.toFixed(2)} s of json's ${json.cpu.toFixed(2)} s now.`),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string', default: 'large' },
      repeat: { type: 'string', default: '5' },
      flatness: { type: 'boolean', default: false },
      floor: { type: 'boolean', default: false },
      dir: { type: 'string', default: join(root, 'bench-out') },
      'skip-tshark': { type: 'boolean', default: false },
    },
  });
  const preset = PRESETS[values.preset!];
  if (!preset) usage(`unknown preset ${values.preset} (known: ${Object.keys(PRESETS).join(', ')})`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) usage('--repeat must be a positive integer');
  if (!existsSync(cli)) usage('run `npm run build` first');
  if (!existsSync('/usr/bin/time')) usage('/usr/bin/time is needed for peak RSS (Debian package `time`)');
  const workDir = resolve(values.dir!);
  mkdirSync(workDir, { recursive: true });

  const capture = await ensureCapture(workDir, values.preset!, preset);
  const size = statSync(capture).size;
  const packets = countPackets(capture);
  process.stderr.write(`capture: ${capture}, ${packets} packets, ${(size / 1e6).toFixed(0)} MB\n`);

  const loadBefore = loadavg();
  const rows: Measurement[] = [];
  rows.push(measure('cat > /dev/null', ['cat', capture], repeat, workDir));
  const bare = measure('bare pcap-parser loop', ['node', bareLoop, capture], repeat, workDir);
  rows.push(bare);
  const json = measure('tcpshake --format json', ['node', cli, capture, '--format', 'json'], repeat, workDir);
  rows.push(json);
  // Every other output, each bounded by the connections open at once (see report/outputs.ts).
  const streamed = new Map<string, Measurement>();
  for (const format of STREAMING_FORMATS) {
    const m = measure(`tcpshake --format ${format}`, formatArgv(format, capture, workDir), repeat, workDir);
    rows.push(m);
    streamed.set(format, m);
  }
  const htmlPath = join(workDir, 'report.html');
  const report = measure('tcpshake report', ['node', cli, 'report', capture, '-o', htmlPath], Math.min(repeat, 3), workDir);
  rows.push(report);
  const htmlBytes = statSync(htmlPath).size;
  if (which('tcptrace')) rows.push(measure('tcptrace -n', ['tcptrace', '-n', capture], repeat, workDir));
  let tshark: Measurement | undefined;
  if (which('tshark') && !values['skip-tshark']) {
    tshark = measure('tshark -q -z conv,tcp', ['tshark', '-n', '-q', '-z', 'conv,tcp', '-r', capture], repeat, workDir);
    rows.push(tshark);
  }

  let flat: { longer: Map<string, Measurement>; packets: number } | undefined;
  if (values.flatness) {
    const longerPreset = { ...preset, connections: preset.connections * 4 };
    const longer = await ensureCapture(workDir, `${values.preset}-x4`, longerPreset);
    const measured = new Map<string, Measurement>();
    for (const format of STREAMING_FORMATS) {
      const m = measure(`tcpshake --format ${format} (4× longer)`, formatArgv(format, longer, workDir), Math.min(repeat, 3), workDir);
      rows.push(m);
      measured.set(format, m);
    }
    flat = { longer: measured, packets: countPackets(longer) };
  }

  const floor = values.floor ? measureStringifyFloor(capture, repeat, workDir) : undefined;

  const loadAfter = loadavg();
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const lines: string[] = [];
  lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  // The machine may be shared: a load average above the core count means the figures are noisy.
  const la = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  lines.push(`Load average (1/5/15 min): ${la(loadBefore)} before, ${la(loadAfter)} after, on ${cpus().length} cores`);
  lines.push(`Capture: preset ${values.preset}, ${packets} packets, ${(size / 1e6).toFixed(0)} MB, ${preset.connections} connections; medians of ${repeat} runs`);
  lines.push('');
  lines.push('| command | wall | × bare loop | packets/s | CPU (user + sys) | peak RSS |');
  lines.push('|---|---|---|---|---|---|');
  for (const row of rows) {
    const rowPackets = flat !== undefined && [...flat.longer.values()].includes(row) ? flat.packets : packets;
    lines.push(
      `| ${row.name} | ${row.wall.toFixed(2)} s | ${(row.wall / bare.wall).toFixed(2)} | ${row.wall > 0 ? Math.round(rowPackets / row.wall).toLocaleString('en-US') : '-'} | ${row.cpu.toFixed(2)} s | ${mb(row.rss)} |`,
    );
  }
  lines.push('');
  const MB = 2 ** 20;
  const checks: [string, boolean][] = [
    [`json wall ≤ 1.5× bare loop (${(json.wall / bare.wall).toFixed(2)}×)`, json.wall <= 1.5 * bare.wall],
    [`json peak RSS ≤ 450 MB (${mb(json.rss)})`, json.rss <= 450 * MB],
  ];
  for (const [format, m] of streamed) checks.push([`${format} peak RSS ≤ 250 MB (${mb(m.rss)})`, m.rss <= 250 * MB]);
  checks.push([`report peak RSS ≤ 600 MB (${mb(report.rss)})`, report.rss <= 600 * MB]);
  checks.push([`report HTML ≤ 25 MB (${(htmlBytes / 1e6).toFixed(1)} MB)`, htmlBytes <= 25e6]);
  if (tshark) checks.push([`json ≥ 5× faster than tshark (${(tshark.wall / json.wall).toFixed(1)}×)`, tshark.wall >= 5 * json.wall]);
  if (flat) {
    for (const [format, m] of flat.longer) {
      const growth = m.rss / streamed.get(format)!.rss - 1;
      checks.push([`${format} peak RSS flat over 4× the capture (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)}%)`, Math.abs(growth) < 0.2]);
    }
  }
  for (const [text, ok] of checks) lines.push(`- ${ok ? 'met' : 'MISSED'}: ${text}`);
  if (floor) lines.push('', ...floorLines(floor, bare, json));
  const table = lines.join('\n');
  process.stdout.write(`${table}\n`);
  writeFileSync(join(workDir, `results-${values.preset}.md`), `${table}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
