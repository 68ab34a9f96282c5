import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECORDINGS_DIR, SHARED_RECORDINGS_DIR } from './support/recordings-dir.ts';

describe('recordings of a real Asterisk', () => {
  it.runIf(existsSync(SHARED_RECORDINGS_DIR))('the repository copy matches shared/asterisk byte for byte', () => {
    const names = readdirSync(SHARED_RECORDINGS_DIR).sort();
    expect(readdirSync(RECORDINGS_DIR).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(`${RECORDINGS_DIR}${n}`).equals(readFileSync(`${SHARED_RECORDINGS_DIR}${n}`)), n).toBe(true);
  });
});
