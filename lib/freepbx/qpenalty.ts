// FreePBX's queue agents as it keeps them in astdb (queues module,
// functions.inc.php queues_add): QPENALTY/<queue>/agents/<member> = <penalty>
// for each dynamic member an administrator listed, and
// QPENALTY/<queue>/dynmemberonly = yes|no ("Restrict Dynamic Agents").
// Members are what was typed: an extension (1001), a number, or an interface
// (Local/1001@from-queue/n, PJSIP/1001). Pure: text or key/value pairs in,
// per-queue entries out.
import { compareText } from '../compare-text.ts';

export interface FreepbxAgent {
  /** As FreePBX stored it. */
  member: string;
  /** As FreePBX stored it; checked when planned. */
  penalty: string;
}

export interface FreepbxQueue {
  /** The queue name as FreePBX wrote it. */
  queue: string;
  agents: FreepbxAgent[];
  /** undefined: not set. */
  dynmemberonly?: string;
}

export interface QpenaltyTree {
  queues: FreepbxQueue[];
  /** QPENALTY keys of another shape (left alone). */
  ignored: string[];
}

/** Keys and values under /QPENALTY, in any order. */
export function treeFromEntries(entries: Iterable<readonly [string, string]>): QpenaltyTree {
  const byQueue = new Map<string, FreepbxQueue>();
  const ignored: string[] = [];
  const queueOf = (name: string): FreepbxQueue => {
    let q = byQueue.get(name);
    if (!q) byQueue.set(name, (q = { queue: name, agents: [] }));
    return q;
  };
  for (const [rawKey, value] of entries) {
    const parts = rawKey.replace(/^\//, '').split('/');
    if (parts[0] !== 'QPENALTY' || !parts[1]) {
      ignored.push(rawKey);
      continue;
    }
    const queue = parts[1];
    if (parts[2] === 'agents' && parts.length >= 4) {
      // Interfaces hold slashes: Local/1001@from-queue/n is stored as .../agents/Local/1001@from-queue/n.
      queueOf(queue).agents.push({ member: parts.slice(3).join('/'), penalty: value });
    } else if (parts[2] === 'dynmemberonly' && parts.length === 3) {
      queueOf(queue).dynmemberonly = value;
    } else {
      ignored.push(rawKey);
    }
  }
  const queues = [...byQueue.values()].sort((a, b) => compareText(a.queue, b.queue));
  for (const q of queues) q.agents.sort((a, b) => compareText(a.member, b.member));
  return { queues, ignored };
}

/**
 * The text of `asterisk -rx "database show QPENALTY"` (handle_cli_database_show
 * in main/db.c: "%-50s: %-25s" per entry, then "N results found."). Lines of
 * any other shape are returned as unreadable.
 */
export function parseDatabaseShow(text: string): { entries: Array<[string, string]>; unreadable: string[] } {
  const entries: Array<[string, string]> = [];
  const unreadable: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || /^\d+ results? found\.?$/.test(line.trim())) continue;
    const m = /^(\/\S+?)\s*: (.*)$/.exec(line);
    if (m) entries.push([m[1]!, m[2]!.trimEnd()]);
    else unreadable.push(line);
  }
  return { entries, unreadable };
}

/** The number in a member as FreePBX lets one be typed: 1001, Local/1001@from-queue/n, PJSIP/1001. */
export function memberNumber(member: string): string {
  const local = /^Local\/([^@/]+)@/i.exec(member);
  if (local) return local[1]!;
  const tech = /^[A-Za-z0-9_]+\/([^/@]+)$/.exec(member);
  if (tech) return tech[1]!;
  return member;
}
