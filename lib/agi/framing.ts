// The lines Asterisk sends on a FastAGI socket (ding-dong.ts hands them over
// whole) into what they are: the environment block up to its empty line, then
// replies and HANGUP notices. Asterisk writes HANGUP by itself when the channel
// hangs up, before the reply to the command in flight (agi-session.log,
// agi-caller-hangup.log): it is never that reply. A reply is one line, or
// several while reply.ts says it is still open. Pure: no socket here.
import { replyIsOpen } from './reply.ts';

export type AgiInput =
  /** The environment block exactly as sent, its empty line included. */
  | { kind: 'environment'; raw: string }
  /** One reply, its lines joined with LF. */
  | { kind: 'reply'; text: string }
  | { kind: 'hangup' };

/** A reply still open past this many characters is handed on as it is (parseReply then refuses it). */
export const MAX_REPLY_CHARS = 65_536;

export class AgiLineReader {
  #environment: string | undefined = '';
  #reply: string[] | undefined;
  #replyChars = 0;

  /** One line, without its LF; gives back what it completes, if anything. */
  push(line: string): AgiInput | undefined {
    if (this.#environment !== undefined) {
      this.#environment += `${line}\n`;
      if (line !== '') return undefined;
      const raw = this.#environment;
      this.#environment = undefined;
      return { kind: 'environment', raw };
    }
    if (this.#reply) {
      this.#reply.push(line);
      this.#replyChars += line.length + 1;
    } else {
      if (line === '') return undefined;
      if (line === 'HANGUP') return { kind: 'hangup' };
      this.#reply = [line];
      this.#replyChars = line.length;
    }
    if (replyIsOpen(this.#reply) && this.#replyChars <= MAX_REPLY_CHARS) return undefined;
    const text = this.#reply.join('\n');
    this.#reply = undefined;
    return { kind: 'reply', text };
  }
}
