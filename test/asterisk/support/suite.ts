// What every real-Asterisk test file shares: skip cleanly when there is no
// Asterisk, and one world per file (started before its tests, stopped after
// them whatever happened).
import { afterAll, beforeAll } from 'vitest';
import { findAsteriskBinary } from './binary.ts';
import { startWorld, type World } from './world.ts';

export const asteriskMissing = findAsteriskBinary() === undefined;

/** Starts this file's world in beforeAll (then runs `setup`), stops it in afterAll. */
export function useWorld(opts: Parameters<typeof startWorld>[0] & { setup?: (w: World) => Promise<void> } = {}): () => World {
  let w: World | undefined;
  beforeAll(async () => {
    const started = await startWorld(opts);
    try {
      await opts.setup?.(started);
    } catch (err) {
      // A failed beforeAll must not leave its Asterisk running, whatever the runner does next.
      await started.stop();
      throw err;
    }
    w = started;
  });
  afterAll(async () => {
    await w?.stop();
  });
  return () => {
    if (!w) throw new Error('the world did not start');
    return w;
  };
}

/** Runs CLI commands (in parallel) and fails loudly when one does not succeed. */
export async function admin(w: World, ...commands: { args: string[]; pin?: string }[]): Promise<void> {
  const results = await Promise.all(commands.map((c) => w.cli(c.args, { pin: c.pin })));
  results.forEach((r, i) => {
    if (r.code !== 0) throw new Error(`agentgate ${commands[i]!.args.join(' ')} exited ${r.code}: ${r.stderr}`);
  });
}
