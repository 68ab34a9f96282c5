// The AGENTBYCALLERID_<phone> global follows the phone's lock: an agent
// logging out (or moving away) cannot clear the global of the next agent who
// logs in at that phone, however slow Asterisk is to answer its Setvar.
// Several instances sharing one Redis race like this; a slow Setvar makes it
// happen here on one.
import { afterEach, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import type { AgentDeps } from '../../lib/agents/deps.ts';
import { loginAgent } from '../../lib/agents/login.ts';
import { logoutAgent } from '../../lib/agents/logout.ts';
import type { QueueMember } from '../../lib/asterisk/member.ts';
import type { Pbx } from '../../lib/asterisk/pbx.ts';
import { silentLogger } from '../../lib/log.ts';
import { testRedis, type TestRedis } from '../support/redis.ts';

const FAST = { pinHash: { ln: 4, r: 1, p: 1 } };
const origin = { source: 'cli' as const, by: 'test' };

/** One queue, globals, and a Setvar that clears taking 300 ms. */
function slowClearPbx(): Pbx & { globals: Map<string, string> } {
  const members = new Map<string, QueueMember>();
  const globals = new Map<string, string>();
  return {
    globals,
    async queueStatus(a = {}) {
      return { params: [{ queue: '8008' }], members: [...members.values()].filter((m) => !a.member || m.interface === a.member) };
    },
    async queueAdd(a) {
      members.set(a.interface, {
        queue: a.queue, interface: a.interface, name: a.memberName ?? '', stateInterface: a.interface, membership: 'dynamic', penalty: a.penalty ?? 0,
        callsTaken: 0, lastCall: 0, lastPause: 0, loginTime: 0, inCall: false, status: 1, paused: false, pausedReason: '', wrapuptime: 0,
      });
    },
    async queueRemove(a) {
      members.delete(a.interface);
    },
    async queuePause() {},
    async queueMemberRingInUse() {},
    async setvar(name, value) {
      if (value === '') await new Promise((r) => setTimeout(r, 300));
      globals.set(name, value);
    },
    async getvar(name) {
      return globals.get(name) ?? '';
    },
  };
}

let r: TestRedis;
afterEach(() => r.cleanup());

it('agent A logs out of a phone while agent B logs in there: the global ends naming B', async () => {
  r = await testRedis();
  await createAgent(r.store, { id: '7001', name: 'A', pin: '86420', queues: [{ queue: '8008', penalty: 2 }] }, FAST);
  await createAgent(r.store, { id: '7002', name: 'B', pin: '13579', queues: [{ queue: '8008', penalty: 0 }] }, FAST);
  const pbx = slowClearPbx();
  const deps: AgentDeps = { pbx, store: r.store, log: silentLogger, compatGlobals: true, pinLimits: { maxFailures: 5, lockoutSec: 60 } };
  await loginAgent(deps, { agentId: '7001', phone: '1001', context: 'from-queue', origin });

  const a = logoutAgent(deps, { agentId: '7001', origin });
  await new Promise((res) => setTimeout(res, 60)); // A is waiting on its clearing Setvar
  const b = loginAgent(deps, { agentId: '7002', phone: '1001', context: 'from-queue', origin });
  await Promise.all([a, b]);

  expect(pbx.globals.get('AGENTBYCALLERID_1001')).toBe('7002');
});
