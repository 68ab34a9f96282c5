// The shipped AMI user (dialplan/manager_custom.conf) has exactly the rights
// the service needs: a right missing breaks it, one more is an attack surface
// (system reloads modules, command runs anything, DBPut rewrites FreePBX's astdb).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIRED_READ, REQUIRED_WRITE } from '../../lib/ami/rights.ts';
import { SUBSCRIPTIONS } from '../../lib/ami/subscriptions.ts';

const conf = readFileSync(path.resolve(import.meta.dirname, '../../dialplan/manager_custom.conf'), 'utf8');
const setting = (name: string): string[] => [...conf.matchAll(new RegExp(`^${name}\\s*=\\s*(.+)$`, 'gm'))].map((m) => m[1]!.trim());
const classes = (name: string) => setting(name).flatMap((v) => v.split(',').map((c) => c.trim())).sort();

describe('the shipped AMI user', () => {
  it('may write exactly the classes of the actions the service sends: agent, call', () => {
    expect(classes('write')).toEqual(REQUIRED_WRITE);
    expect(REQUIRED_WRITE).toEqual(['agent', 'call']);
  });

  it('reads exactly the classes of the events the service follows', () => {
    expect(classes('read')).toEqual(REQUIRED_READ);
  });

  it('has Asterisk filter every event the service follows through, and nothing else', () => {
    const filters = setting('eventfilter').map((f) => new RegExp(f));
    const wanted = [...new Set(Object.values(SUBSCRIPTIONS).flat())];
    for (const name of wanted) expect(filters.some((f) => f.test(`Event: ${name}\r\nPrivilege: agent,all\r\n`)), name).toBe(true);
    for (const name of ['VarSet', 'Newchannel', 'Hangup', 'QueueMemberPenalty', 'UserEvent']) {
      expect(filters.some((f) => f.test(`Event: ${name}\r\nPrivilege: call,all\r\n`)), name).toBe(false);
    }
  });
});
