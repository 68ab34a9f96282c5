// The project's own TypeScript sources, for the tests that check the code
// itself (its layers, what it must not call).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every .ts file under `dir` (relative to the repository root), as root-relative paths. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return name.endsWith('.ts') ? [rel] : [];
  });
}

/** A source file's text. */
export function sourceText(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}
