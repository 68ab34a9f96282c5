// What `agentgate doctor` says: one result per check, three marks, the exit
// code they make. Pure: the checks decide, this only words and counts.

/** ok ✓ fine; warn ⚠ worth fixing but not a fault; fail ✗ a fault that will lose calls or data. */
export type Mark = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Stable name for monitoring (`redis`, `ami-login`, `queue:8008` ...). */
  id: string;
  mark: Mark;
  /** What was checked and what was found, one sentence. */
  detail: string;
  /** What to do, in words; absent when there is nothing to do. */
  fix?: string;
}

const SYMBOL: Record<Mark, string> = { ok: '✓', warn: '⚠', fail: '✗' };

export const ok = (id: string, detail: string): Check => ({ id, mark: 'ok', detail });
export const warn = (id: string, detail: string, fix: string): Check => ({ id, mark: 'warn', detail, fix });
export const fail = (id: string, detail: string, fix: string): Check => ({ id, mark: 'fail', detail, fix });

/** One line per check: mark, what was found, and the fix after an arrow. */
export function formatCheck(c: Check): string {
  return `${SYMBOL[c.mark]} ${c.detail}${c.fix ? ` → ${c.fix}` : ''}`;
}

export function formatReport(checks: readonly Check[]): string[] {
  const n = (m: Mark) => checks.filter((c) => c.mark === m).length;
  const count = (m: Mark, word: string) => `${n(m)} ${word}${n(m) === 1 ? '' : 's'}`;
  return [...checks.map(formatCheck), `${count('fail', 'fault')}, ${count('warn', 'warning')}, ${n('ok')} fine`];
}

/** For monitoring: `ok` is false when any check failed. */
export function reportJson(checks: readonly Check[]): { ok: boolean; faults: number; warnings: number; checks: readonly Check[] } {
  return { ok: exitCode(checks) === 0, faults: checks.filter((c) => c.mark === 'fail').length, warnings: checks.filter((c) => c.mark === 'warn').length, checks };
}

/** 0 when nothing is ✗, 1 otherwise. */
export function exitCode(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.mark === 'fail') ? 1 : 0;
}
