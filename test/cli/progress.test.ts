import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { progressReporter } from '../../src/cli/progress.js';
import { useColor, type CliIO } from '../../src/cli/io.js';

function fakeIO(over: Partial<CliIO> & { clock?: { t: number } } = {}): CliIO & { errText: () => string } {
  let err = '';
  const clock = over.clock ?? { t: 0 };
  return {
    stdin: new PassThrough(),
    out() {},
    err(t: string) {
      err += t;
    },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    columns: undefined,
    env: {},
    now: () => clock.t,
    ...over,
    errText: () => err,
  };
}

describe('progress', () => {
  it('says nothing when stderr is not a terminal', () => {
    const io = fakeIO();
    const p = progressReporter(io);
    expect(p.onProgress).toBeUndefined();
    p.done();
    expect(io.errText()).toBe('');
  });

  it('on a terminal: nothing in the first second, then at most every 200 ms, erased at the end', () => {
    const clock = { t: 0 };
    const io = fakeIO({ stderrIsTTY: true, clock });
    const p = progressReporter(io);
    clock.t = 500;
    p.onProgress!({ bytes: 1000, frames: 10, connections: 1 });
    expect(io.errText()).toBe('');
    clock.t = 2000;
    p.onProgress!({ bytes: 3 * 1024 * 1024, frames: 4000, connections: 12 });
    expect(io.errText()).toBe('\r\u001b[Ktcpshake: 3.0 MiB read, 4000 packets (2000 packets/s), 12 connections');
    clock.t = 2100;
    p.onProgress!({ bytes: 4 * 1024 * 1024, frames: 5000, connections: 13 });
    expect(io.errText().split('\r').length).toBe(2);
    p.done();
    expect(io.errText().endsWith('\r\u001b[K')).toBe(true);
  });

  it('a short run on a terminal leaves stderr untouched', () => {
    const io = fakeIO({ stderrIsTTY: true });
    const p = progressReporter(io);
    p.onProgress!({ bytes: 1, frames: 1, connections: 0 });
    p.done();
    expect(io.errText()).toBe('');
  });
});

describe('colour decision', () => {
  it('terminal only, NO_COLOR (non-empty) turns it off, the flag wins', () => {
    expect(useColor(fakeIO({ stdoutIsTTY: true }), undefined)).toBe(true);
    expect(useColor(fakeIO({ stdoutIsTTY: false }), undefined)).toBe(false);
    expect(useColor(fakeIO({ stdoutIsTTY: true, env: { NO_COLOR: '1' } }), undefined)).toBe(false);
    expect(useColor(fakeIO({ stdoutIsTTY: true, env: { NO_COLOR: '' } }), undefined)).toBe(true);
    expect(useColor(fakeIO({ stdoutIsTTY: false }), true)).toBe(true);
    expect(useColor(fakeIO({ stdoutIsTTY: true }), false)).toBe(false);
  });
});
