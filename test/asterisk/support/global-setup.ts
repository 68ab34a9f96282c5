// Vitest global setup of the real-Asterisk suite: one parent temp dir for every
// world of the run, and a sweep at the end that stops any Asterisk a crashed
// worker left behind (only ours: the pid file in our dir, its cmdline naming
// our config) and removes the dirs.
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { killOwnAsterisk, removeDir } from './asterisk.ts';

export default function setup(project: TestProject): () => Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'agentgate-asterisk-'));
  project.provide('asteriskRunRoot', root);
  return async () => {
    // Normally every file has stopped its own; what is left belongs to a worker that died.
    await Promise.all(readdirSync(root).map((d) => killOwnAsterisk(path.join(root, d), 0)));
    if (!process.env.ASTERISK_TEST_KEEP) removeDir(root);
  };
}
