// Reads the recorded Asterisk 22 sessions in shared/asterisk/ back into bytes.
// In the files a wire line is written "text\r" (a literal backslash-r standing
// for CR), a block ends at an empty line, and "### <<< RECV" / "### >>> SENT"
// head each block (ami-more.log leaves the SENT blocks unheaded).
import { readFileSync } from 'node:fs';
import { RECORDINGS_DIR } from '../support/recordings-dir.ts';

export const ASTERISK_DIR = RECORDINGS_DIR;

export interface Block {
  dir: 'recv' | 'sent';
  /** Exactly the bytes on the wire (as a string: CR LF restored). */
  text: string;
}

export function recording(file: string): string {
  return readFileSync(ASTERISK_DIR + file, 'utf8');
}

export function blocks(file: string): Block[] {
  const out: Block[] = [];
  let cur: { dir: Block['dir']; lines: string[] } | undefined;
  const flush = (): void => {
    if (cur && cur.lines.length > 0) {
      out.push({ dir: cur.dir, text: cur.lines.map((l) => (l.endsWith('\\r') ? `${l.slice(0, -2)}\r\n` : `${l}\n`)).join('') });
    }
    cur = undefined;
  };
  for (const line of recording(file).split('\n')) {
    if (line.startsWith('### <<< RECV')) {
      flush();
      cur = { dir: 'recv', lines: [] };
    } else if (line.startsWith('### >>> SENT')) {
      flush();
      cur = { dir: 'sent', lines: [] };
    } else if (line.startsWith('#') || line === '' || /^\+\d+ms \[conn/.test(line) || /^\s*\d+ ms |^\s+SENT /.test(line)) {
      flush();
    } else {
      cur ??= { dir: line.startsWith('Action:') ? 'sent' : 'recv', lines: [] };
      cur.lines.push(line);
    }
  }
  flush();
  return out;
}

/** The quoted reads of the timeline form: +4ms [conn 1] RECV "..." and 1202 ms RECV "...". */
export function quotedReads(file: string, dir: 'RECV' | 'SENT' = 'RECV'): Array<{ conn: number; text: string }> {
  const out: Array<{ conn: number; text: string }> = [];
  const re = new RegExp(`^(?:\\+\\d+ms \\[conn (\\d+)\\] |\\s*(?:\\d+ ms )?)${dir} (".*")$`);
  for (const line of recording(file).split('\n')) {
    const m = re.exec(line);
    if (m?.[2]) out.push({ conn: Number(m[1] ?? 0), text: JSON.parse(m[2]) as string });
  }
  return out;
}

/**
 * An independent reading of AMI bytes, to check the real parser against:
 * messages end at an empty line, a header is "Name: value" split at the
 * first ": ", names lower-cased, a repeated header joined with LF.
 */
export function expectedMessages(stream: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const body = stream.replace(/^Asterisk Call Manager\/[^\r\n]*\r\n/, '');
  for (const chunk of body.split('\r\n\r\n')) {
    if (chunk.trim() === '') continue;
    const msg: Record<string, string> = {};
    for (const line of chunk.split('\r\n')) {
      const at = line.indexOf(': ');
      const key = (at === -1 ? line : line.slice(0, at)).trim().toLowerCase();
      const value = at === -1 ? '' : line.slice(at + 2);
      msg[key] = key in msg ? `${msg[key]}\n${value}` : value;
    }
    out.push(msg);
  }
  return out;
}
