// `agentgate agent ...`: agent accounts and their sessions, from the same
// domain code the FastAGI scripts use. PINs never come from argv (any user
// sees argv in `ps`): from AGENTGATE_PIN, else the first line of stdin, else
// typed at the terminal without echo.
import { createAgent, listAgents, setAgentMobile, setAgentName, setAgentPin, setAgentQueues } from '../agents/accounts.ts';
import { listBindings } from '../agents/bindings.ts';
import { deleteAgent } from '../agents/delete.ts';
import { agentDeps } from '../services.ts';
import { forceLogoutAgent } from '../agents/force-logout.ts';
import { logoutAgent } from '../agents/logout.ts';
import { pauseAgent, validPauseReason } from '../agents/pause.ts';
import { clearPinFailures } from '../agents/pin-guard.ts';
import { type QueuePenalty, validateAgentId, validQueue } from '../validate.ts';
import type { Origin } from '../store/audit.ts';
import { canonicalNumber } from '../numbers.ts';
import { appendAudit } from '../store/audit.ts';
import type { Services } from '../services.ts';
import { UsageError } from './context.ts';

export const AGENT_USAGE = `  agent create <id> --name NAME --queues Q[:PENALTY][,Q[:PENALTY]] [--mobile N]
                                                           new agent; PIN from $AGENTGATE_PIN or stdin
  agent pin <id>                                           new PIN from $AGENTGATE_PIN or stdin
  agent queues <id> Q[:PENALTY][,Q[:PENALTY]]              replace the agent's queues (used from the next login)
  agent name <id> <name>                                   display name (the queue member name from the next login)
  agent mobile <id> <number>|none                          the mobile that needs only the PIN
  agent delete <id>                                        delete (a logged-in agent is logged out by force first)
  agent list                                               accounts, and where each is logged in
  agent logout <id>                                        log out from wherever it is bound
  agent force-logout <id>                                  log out whatever Redis and Asterisk say, clear its globals
  agent pause <id> [--queue Q] [--reason R]                pause in one queue or all (QueuePause with Reason)
  agent unpause <id> [--queue Q]                           unpause`;

export interface Out {
  (line: string): void;
}

export interface AgentCliIo {
  /** The PIN for create and pin; never from argv. */
  readPin(): Promise<string>;
  /** Who is acting, for the audit trail. */
  by: string;
}

/** Subcommands that need Asterisk. */
export function agentNeedsAmi(sub: string | undefined): boolean {
  return ['delete', 'logout', 'force-logout', 'pause', 'unpause'].includes(sub ?? '');
}

/** `8008:2,8009` -> [{8008, 2}, {8009, 0}]; validateQueues in createAgent/setAgentQueues checks the rest. */
export function parseQueuePenalties(raw: string | undefined): QueuePenalty[] {
  if (!raw?.trim()) throw new UsageError('queues are required: Q[:PENALTY][,Q[:PENALTY]]');
  return raw.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const m = /^([^:]+)(?::(\d{1,4}))?$/.exec(item);
    if (!m) throw new UsageError(`bad queue entry ${JSON.stringify(item)}: use QUEUE or QUEUE:PENALTY`);
    return { queue: m[1]!, penalty: m[2] === undefined ? 0 : Number(m[2]) };
  });
}

export async function agentCmd(svc: Services, out: Out, args: string[], opts: Record<string, string | undefined>, io: AgentCliIo = defaultIo()): Promise<void> {
  const [sub, id, ...rest] = args;
  if (sub === 'list') return listCmd(svc, out);
  if (!sub || !id) throw new UsageError('agent <create|pin|queues|name|mobile|delete|list|logout|force-logout|pause|unpause> <id> ...');
  validateAgentId(id);
  const origin: Origin = { source: 'cli', by: io.by };
  const audit = (action: string, detail?: string) => appendAudit(svc.store, { action, subject: id, result: 'OK', source: 'cli', by: io.by, detail });
  const deps = agentDeps(svc);
  if ((sub === 'create' || sub === 'pin') && rest.length) {
    throw new UsageError('a PIN is never taken from the command line (others see it in ps): set AGENTGATE_PIN or write it to stdin');
  }
  switch (sub) {
    case 'create': {
      if (!opts.name) throw new UsageError('agent create <id> --name NAME --queues Q[:PENALTY],... [--mobile N]');
      const queues = parseQueuePenalties(opts.queues);
      const mobile = opts.mobile !== undefined ? canonicalNumber(opts.mobile, svc.numbers) : undefined;
      const pin = await io.readPin();
      const a = await createAgent(svc.store, { id, name: opts.name, pin, queues, ...(mobile ? { mobile } : {}) });
      await audit('create', `queues=${a.queues.map((q) => `${q.queue}:${q.penalty}`).join(',')}`);
      out(`created agent ${a.id} (${a.name}) in ${describeQueues(a.queues)}${a.mobile ? `, mobile ${a.mobile}` : ''}`);
      return;
    }
    case 'pin': {
      await setAgentPin(svc.store, id, await io.readPin());
      // A new PIN is a fresh start: the lock-out from guesses at the old one ends.
      await clearPinFailures(svc.store, id);
      await audit('pin-change');
      out(`agent ${id}: PIN changed`);
      return;
    }
    case 'queues': {
      const queues = parseQueuePenalties(rest[0]);
      await setAgentQueues(svc.store, id, queues);
      await audit('queues', queues.map((q) => `${q.queue}:${q.penalty}`).join(','));
      out(`agent ${id}: queues ${describeQueues(queues)} (from the next login)`);
      return;
    }
    case 'name': {
      const name = rest.join(' ');
      if (!name) throw new UsageError('agent name <id> <name>');
      await setAgentName(svc.store, id, name);
      await audit('rename', name);
      out(`agent ${id}: name ${name} (from the next login)`);
      return;
    }
    case 'mobile': {
      const raw = rest[0];
      if (!raw) throw new UsageError('agent mobile <id> <number>|none');
      const mobile = raw === 'none' ? null : canonicalNumber(raw, svc.numbers);
      await setAgentMobile(svc.store, id, mobile);
      await audit('mobile', mobile ?? 'none');
      out(`agent ${id}: ${mobile ? `mobile ${mobile}` : 'no mobile'}`);
      return;
    }
    case 'delete': {
      const res = await deleteAgent(deps, { agentId: id, origin });
      out(`deleted agent ${id}${res.removed.length || res.binding ? ` (logged out first: ${describeForced(res)})` : ''}`);
      return;
    }
    case 'logout': {
      const res = await logoutAgent(deps, { agentId: id, origin });
      out(res.wasLoggedIn
        ? `agent ${id}: LOGGEDOUT (was at ${res.binding!.phone}; removed from ${res.removed.join(', ') || 'no queue'})`
        : `agent ${id} was not logged in`);
      return;
    }
    case 'force-logout': {
      out(`agent ${id}: LOGGEDOUT by force (${describeForced(await forceLogoutAgent(deps, { agentId: id, origin }))})`);
      return;
    }
    case 'pause':
    case 'unpause': {
      const queue = opts.queue !== undefined ? validQueue(opts.queue) : undefined;
      const reason = opts.reason !== undefined ? validPauseReason(opts.reason) : undefined;
      const res = await pauseAgent(deps, { agentId: id, mode: sub, ...(queue ? { queue } : {}), ...(reason ? { reason } : {}), origin });
      out(`agent ${id}: ${res.paused ? 'PAUSED' : 'UNPAUSED'}${res.reason ? ` (${res.reason})` : ''}${queue ? ` in ${queue}` : ''}; status ${res.status}`);
      return;
    }
    default:
      throw new UsageError(`unknown agent command ${sub}`);
  }
}

async function listCmd(svc: Services, out: Out): Promise<void> {
  const bound = new Map((await listBindings(svc.store)).map((b) => [b.agentId, b]));
  for (const a of await listAgents(svc.store)) {
    const b = bound.get(a.id);
    out(`${a.id}\t${a.name}\t${a.queues.map((q) => `${q.queue}:${q.penalty}`).join(',')}\t${a.mobile ? `mobile ${a.mobile}` : '-'}\t${
      b ? `logged in at ${b.phone} (${b.interface}) since ${new Date(b.since).toISOString()}` : 'logged out'}`);
  }
}

function describeQueues(queues: QueuePenalty[]): string {
  return queues.map((q) => `${q.queue} (penalty ${q.penalty})`).join(', ') || 'no queue';
}

function describeForced(res: { removed: Array<{ queue: string; interface: string }>; globalsCleared: string[]; phonesReleased: string[] }): string {
  return [
    `removed ${res.removed.length} member${res.removed.length === 1 ? '' : 's'}${res.removed.length ? `: ${res.removed.map((m) => `${m.queue} ${m.interface}`).join(', ')}` : ''}`,
    ...(res.globalsCleared.length ? [`cleared ${res.globalsCleared.map((p) => `AGENTBYCALLERID_${p}`).join(', ')}`] : []),
    ...(res.phonesReleased.length ? [`released phone ${res.phonesReleased.join(', ')}`] : []),
  ].join('; ');
}

/** Reads the PIN from AGENTGATE_PIN, a pipe, or the terminal (not echoed). */
export function defaultIo(): AgentCliIo {
  return {
    by: process.env.SUDO_USER || process.env.USER || 'cli',
    async readPin() {
      const fromEnv = process.env.AGENTGATE_PIN;
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv.trim();
      const stdin = process.stdin;
      if (stdin.isTTY) return readHidden('PIN (not shown): ');
      let text = '';
      for await (const chunk of stdin) {
        text += String(chunk);
        if (text.includes('\n') || text.length > 1024) break;
      }
      const pin = text.split(/\r?\n/)[0]?.trim() ?? '';
      if (!pin) throw new UsageError('no PIN: set AGENTGATE_PIN or write it to stdin');
      return pin;
    },
  };
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let pin = '';
    const done = () => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const c of String(chunk)) {
        if (c === '\r' || c === '\n') {
          done();
          resolve(pin);
          return;
        }
        if (c === '\u0003' || c === '\u0004') {
          done();
          reject(new UsageError('no PIN entered'));
          return;
        }
        pin = c === '\u007f' || c === '\b' ? pin.slice(0, -1) : pin + c;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

