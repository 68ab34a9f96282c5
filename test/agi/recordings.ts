// Reads the Asterisk recordings in shared/asterisk into per-session event lists:
// `<<` what one TCP read returned, `>>` what the server wrote.
import { readFileSync } from 'node:fs';
import { RECORDINGS_DIR } from '../support/recordings-dir.ts';

export const RECORDINGS = RECORDINGS_DIR.replace(/\/$/, '');

export interface WireEvent {
  dir: '<<' | '>>';
  text: string;
}

/** Sessions of an agi-*.log file, by session number, in wire order. */
export function readSessions(file: string): Map<number, WireEvent[]> {
  const sessions = new Map<number, WireEvent[]>();
  for (const line of readFileSync(`${RECORDINGS}/${file}`, 'utf8').split('\n')) {
    const m = /^\[(\d+)\] (?:\+\d+ms )?(<<raw|>>) ("(?:[^"\\]|\\.)*")$/.exec(line);
    if (!m) continue;
    const text = JSON.parse(m[3] as string) as string;
    if (/^\(environment, \d+ bytes\)$/.test(text)) continue; // agi-pin-entry.log gives only the sizes
    const id = Number(m[1]);
    const list = sessions.get(id) ?? [];
    list.push({ dir: m[2] === '>>' ? '>>' : '<<', text });
    sessions.set(id, list);
  }
  return sessions;
}

export function session(file: string, id: number): WireEvent[] {
  const s = readSessions(file).get(id);
  if (!s) throw new Error(`no session ${id} in ${file}`);
  return s;
}

/** The reads before the first command: the environment, as it was split on the wire. */
export function environmentReads(events: WireEvent[]): string[] {
  const first = events.findIndex((e) => e.dir === '>>');
  return events.slice(0, first < 0 ? events.length : first).map((e) => e.text);
}

/** The environment of agi-hostile-env.log, a JSON string on its own line. */
export function hostileEnvironment(): string {
  const line = readFileSync(`${RECORDINGS}/agi-hostile-env.log`, 'utf8').split('\n').find((l) => l.startsWith('"'));
  if (!line) throw new Error('agi-hostile-env.log has no JSON line');
  return JSON.parse(line) as string;
}

/** Every reply line Asterisk sent after the environments, across all agi-*.log files. */
export function recordedReplyLines(): string[] {
  const out: string[] = [];
  for (const file of ['agi-session.log', 'agi-caller-hangup.log', 'agi-pin-entry.log']) {
    for (const events of readSessions(file).values()) {
      const first = events.findIndex((e) => e.dir === '>>');
      if (first < 0) continue;
      for (const e of events.slice(first)) {
        if (e.dir === '<<') out.push(...e.text.split('\n').filter(Boolean));
      }
    }
  }
  return out;
}
