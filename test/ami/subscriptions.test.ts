// The one table of AMI event subscriptions: every part's needs are in it, and
// the login mask and the Filter derived from it let through exactly those.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { maskCarriesSystem } from '../../lib/ami/actions.ts';
import { AMI_EVENT_FILTER, AMI_EVENT_MASK, SUBSCRIPTIONS } from '../../lib/ami/subscriptions.ts';
import { digests } from '../../lib/live/model.ts';
import { EventTracker } from '../../lib/sync/track-events.ts';
import { RECORDINGS_DIR } from '../support/recordings-dir.ts';

const filter = new RegExp(AMI_EVENT_FILTER);
const all = [...new Set(Object.values(SUBSCRIPTIONS).flat())];

/**
 * Every event Asterisk sent in a recording, as the text a Filter is matched
 * against. The files hold messages a line each, CR written as `\r`, and in
 * places whole reads as quoted strings (`RECV "..."`).
 */
function recordedEvents(file: string): string[] {
  const blocks: string[] = [];
  let lines: string[] = [];
  for (const line of readFileSync(`${RECORDINGS_DIR}${file}`, 'utf8').split('\n')) {
    const read = /RECV ("(?:[^"\\]|\\.)*")$/.exec(line);
    if (read) blocks.push(...(JSON.parse(read[1] as string) as string).split('\r\n\r\n'));
    else if (line.endsWith('\\r') && line !== '\\r') lines.push(`${line.slice(0, -2)}\r\n`);
    else {
      if (lines.length) blocks.push(lines.join(''));
      lines = [];
    }
  }
  return blocks.filter((b) => b.startsWith('Event: '));
}

describe('AMI event subscriptions', () => {
  it('the login mask names the classes of every subscribed event, system first (restart detection)', () => {
    expect(AMI_EVENT_MASK).toBe('system,agent');
    expect(maskCarriesSystem(AMI_EVENT_MASK)).toBe(true);
  });

  it('the live model digests exactly the events the live feed declares', () => {
    for (const name of all) expect(digests(name), name).toBe((SUBSCRIPTIONS.live as readonly string[]).includes(name));
  });

  it('the sync listens only to events it declares', () => {
    const names: string[] = [];
    const tracker = new EventTracker({ settle: async () => {}, onFailure: () => {}, log: pino({ level: 'silent' }) });
    tracker.listen({ on: ((name: string) => void names.push(name)) as never, off: (() => undefined) as never });
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !(SUBSCRIPTIONS.sync as readonly string[]).includes(n))).toEqual([]);
  });

  it('the Filter lets through every subscribed event Asterisk sent, and none other (recordings)', () => {
    const events = ['ami-queue-call-answered.log', 'ami-queue-call-noanswer.log', 'ami-events-during-agi.log', 'ami-more.log'].flatMap(recordedEvents);
    const name = (e: string) => /^Event: ([A-Za-z]+)/.exec(e)?.[1] ?? '';
    const seen = new Set(events.map(name));
    expect(all.filter((n) => !seen.has(n))).toEqual([]); // every subscribed event is in the recordings
    for (const e of events) expect(filter.test(e), name(e)).toBe((all as string[]).includes(name(e)));
  });
});
