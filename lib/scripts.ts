import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgiScript } from './agi/router.ts';
import type { Services } from './services.ts';

const AGI_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'agi');

/**
 * The FastAGI script table: every file in agi/ is a script named after the
 * file (agi/queue-toggle.ts answers agi://host/queue-toggle), exporting a
 * default factory that takes the shared services.
 */
export async function loadScripts(svc: Services, dir = AGI_DIR): Promise<Record<string, AgiScript>> {
  const scripts: Record<string, AgiScript> = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(path.join(dir, file))) as { default?: (svc: Services) => AgiScript };
    if (typeof mod.default !== 'function') throw new Error(`agi/${file} has no default export`);
    scripts[file.slice(0, -3)] = mod.default(svc);
  }
  return scripts;
}
