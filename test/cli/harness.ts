/**
 * Runs the real, compiled CLI (`node <build>/cli/main.js`) as a child process. The build goes to
 * tmp/cli-test-dist (ignored by git) so it never races with `npm run build` writing dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = join(ROOT, 'tmp', 'cli-test-dist');
export const MAIN = join(BUILD, 'cli', 'main.js');
export const WORK = join(ROOT, 'tmp', 'cli-test-work');

/**
 * Compiles the project into BUILD (other engineers' type errors do not stop emit). Runs once per
 * `vitest run`, from the global setup (test/global-setup.ts), before any test file starts, so test
 * files running in parallel never race on the build.
 */
export function compileCli(): void {
  mkdirSync(WORK, { recursive: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json'), '--outDir', BUILD, '--declaration', 'false', '--sourceMap', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (!existsSync(MAIN)) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Makes sure the compiled CLI is there (the global setup normally built it already). */
export function buildCli(): void {
  if (!existsSync(MAIN)) compileCli();
  mkdirSync(WORK, { recursive: true });
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Environment for deterministic output: no colour decisions from the caller's terminal. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], TZ: 'UTC', LANG: 'C.UTF-8' };
  return { ...env, ...extra };
}

export function runCli(args: string[], opts: { input?: Buffer | string; env?: Record<string, string> } = {}): RunResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    input: opts.input ?? '',
    env: cleanEnv(opts.env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

export function runShell(script: string): RunResult {
  const r = spawnSync('bash', ['-c', script], { cwd: ROOT, env: cleanEnv({ TCPSHAKE: `${process.execPath} ${MAIN}` }), encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** samples/*.pcap and *.pcapng, sorted (relative to the repository root). */
export function sampleFiles(): string[] {
  const dir = join(ROOT, 'samples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f))
    .sort()
    .map((f) => `samples/${f}`);
}
