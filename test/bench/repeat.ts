// `--runs N`: the same bench N times, each in a process of its own, a pause
// between them so the machine settles, then every target's lowest, median and
// highest figure and how often it was met. One run on a shared 2-core machine
// moves by a quarter either way: the README quotes ranges, and this is how to
// get one without a script of one's own.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repeatedChecksTable, type TargetCheck } from './report.ts';

const RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'run.ts');

/** argv without the options that belong to the repetition (--runs, --pause, --out), in either form. */
export function singleRunArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = /^--(runs|pause|out)(=|$)/.exec(a);
    if (!name) out.push(a);
    else if (name[2] === '') i += 1; // its value is the next argument
  }
  return out;
}

interface RunJson {
  machine: { loadAverage: number };
  targets: TargetCheck[];
  failures: string[];
}

export async function runRepeated(o: { argv: readonly string[]; runs: number; pauseS: number; out: string; log: (line: string) => void }): Promise<{ text: string; ok: boolean }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'agbench-runs-'));
  const args = singleRunArgs(o.argv);
  const runs: RunJson[] = [];
  let ok = true;
  for (let i = 1; i <= o.runs; i++) {
    if (i > 1) {
      o.log(`-- pause ${o.pauseS} s`);
      await new Promise((r) => setTimeout(r, o.pauseS * 1000));
    }
    const file = path.join(dir, `run-${i}.json`);
    o.log(`-- run ${i} of ${o.runs}: node test/bench/run.ts ${args.join(' ')}`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [...process.execArgv, RUN, ...args, '--out', file], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', (c) => resolve(c ?? 1));
    });
    if (code !== 0) ok = false;
    try {
      runs.push(JSON.parse(readFileSync(file, 'utf8')) as RunJson);
    } catch {
      o.log(`run ${i} wrote no results (exit code ${code})`);
      ok = false;
    }
  }
  writeFileSync(o.out, `${JSON.stringify({ kind: 'runs', runs }, null, 2)}\n`);
  const failures = runs.flatMap((r, i) => r.failures.map((f) => `run ${i + 1}: ${f}`));
  const text = [
    `${runs.length} runs, ${o.pauseS} s apart; load average at each start: ${runs.map((r) => r.machine.loadAverage).join(', ')}`,
    '',
    repeatedChecksTable(runs.map((r) => r.targets)),
    ...(failures.length ? ['', 'Failures:', ...failures.map((f) => `- ${f}`)] : []),
    '',
    `Each run's tables and figures: ${o.out} (and ${dir}).`,
  ].join('\n');
  return { text, ok };
}
