// The layers of the code, lowest first. A module may import from its own
// folder or from a lower layer, never from its own layer's other folders nor
// from above, not even a type: the domain never sees AGI, the protocol
// adapters never see the domain. The README's Layout section describes them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, sourceText } from '../support/source-files.ts';


const LAYERS: ReadonlyArray<readonly string[]> = [
  ['lib/errors.ts', 'lib/log.ts', 'lib/compare-text.ts'],
  ['lib/config.ts'],
  ['lib/validate.ts', 'lib/numbers.ts'],
  ['lib/store', 'lib/ami', 'lib/agi'],
  ['lib/asterisk'],
  ['lib/members'],
  ['lib/queues', 'lib/agents'],
  ['lib/sync', 'lib/live', 'lib/doctor', 'lib/freepbx'],
  ['lib/services.ts', 'lib/health.ts', 'lib/metrics.ts'],
  ['lib/scripts', 'lib/api', 'lib/cli', 'lib/health-server.ts'],
  ['agi'],
  ['lib/app.ts'],
  ['lib/main.ts'],
];

/** The unit a file belongs to (a folder or a single file) and its layer. */
function placeOf(file: string): { unit: string; layer: number } {
  for (const [layer, units] of LAYERS.entries()) {
    for (const unit of units) if (file === unit || file.startsWith(`${unit}/`)) return { unit, layer };
  }
  throw new Error(`${file} has no layer: add it to LAYERS and the README's Layout`);
}

function importsOf(file: string): string[] {
  const text = sourceText(file);
  return [...text.matchAll(/^(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'/gm)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)));
}

describe('layers', () => {
  const files = [...sourceFiles('lib'), ...sourceFiles('agi')];

  it('every module has a layer', () => {
    for (const f of files) expect(() => placeOf(f), f).not.toThrow();
  });

  it('no import runs back up a layer or sideways into another folder of the same layer', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = placeOf(f);
      for (const target of importsOf(f)) {
        const to = placeOf(target);
        if (to.unit === from.unit) continue;
        if (to.layer >= from.layer) bad.push(`${f} -> ${target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the check sees an import that runs upward', () => {
    // A domain file importing the AGI edge would be caught.
    expect(placeOf('lib/queues/membership.ts').layer).toBeLessThan(placeOf('lib/scripts/reply.ts').layer);
    expect(importsOf('lib/app.ts')).toContain('agi/routes.ts');
  });
});
