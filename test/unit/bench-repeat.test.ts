// `npm run bench -- --runs N`: each run gets the options given, without the
// repetition's own, and the targets are summed up per target over the runs.
import { describe, expect, it } from 'vitest';
import { singleRunArgs } from '../bench/repeat.ts';
import { repeatedChecksTable } from '../bench/report.ts';

describe('bench --runs', () => {
  it("passes each run every option but --runs, --pause and --out, in either form", () => {
    expect(singleRunArgs(['--quick', '--runs', '5', '--only=a,b', '--pause=10', '--out', 'x.json', '--no-asterisk'])).toEqual(['--quick', '--only=a,b', '--no-asterisk']);
    expect(singleRunArgs(['--runs=3', '--node-flags=--max-semi-space-size=4'])).toEqual(['--node-flags=--max-semi-space-size=4']);
  });

  it('gives each target its lowest, median and highest figure and how many runs met it', () => {
    const run = (cpu: number, p99: number) => [
      { what: 'b CPU per toggle', measured: cpu, unit: 'ms', goal: '<= 0.8 ms', met: cpu <= 0.8 },
      { what: 'b p99', measured: p99, unit: 'ms', goal: '< 10 ms', met: p99 < 10, note: `floor ${p99 / 3} ms` },
    ];
    const text = repeatedChecksTable([run(1.2, 9), run(0.7, 14), run(1.0, 12)]);
    expect(text).toContain('| b CPU per toggle | 0.7 ms | 1 ms | 1.2 ms | <= 0.8 ms | 1 of 3 |');
    expect(text).toContain('| b p99 | 9 ms | 12 ms | 14 ms | < 10 ms | 1 of 3 |');
  });
});
