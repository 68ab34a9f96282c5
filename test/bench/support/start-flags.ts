// How `npm start` runs the service (package.json "start"), for the processes
// under test: b is measured as it is deployed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function startScript(root: string): string[] {
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
}

/** The start script's Node flags, its --import preloads (the Node version check, the compile cache) included with their paths made absolute. */
export function startFlags(root: string): string[] {
  const start = startScript(root);
  const flags: string[] = [];
  start.forEach((t, i) => {
    if (start[i - 1] === '--import') flags.push('--import', pathToFileURL(path.resolve(root, t)).href);
    else if (t.startsWith('--') && t !== '--import') flags.push(t);
  });
  return flags;
}

/** The environment the start script sets before `node` (`NAME=value node ...`), e.g. the malloc tuning. */
export function startEnv(root: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const t of startScript(root)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t);
    if (!m) break;
    env[m[1]!] = m[2]!;
  }
  return env;
}

/**
 * The environment added to the processes under test (a, a2, b): npm start's own
 * (startEnv) when the runner uses npm start's flags, else none. Set once by the
 * runner before any target starts.
 */
export const targetEnv: Record<string, string> = {};
