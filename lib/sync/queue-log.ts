// Session lines in queue_log for reporting tools (QueueMetrics, Asternic,
// FreePBX reports): AGENTLOGIN when a dynamic member is added and AGENTLOGOFF,
// with the session's length in seconds, when it is removed, whoever did it
// (agentgate's scripts, the CLI, the API, the GUI, a re-sync), written with
// the AMI QueueLog action (class agent). The agent field is the member name,
// the one Asterisk itself uses for CONNECT, PAUSE and UNPAUSE (app_queue.c),
// so that one agent is one name; `log_membername_as_agent = yes` makes
// Asterisk's own ADDMEMBER / REMOVEMEMBER agree. The lines carry what the old
// AgentCallbackLogin wrote: the channel (the member's interface) and, on
// logoff, the seconds logged in, from the event's LoginTime.
import type { AmiClient } from '../ami/client.ts';
import type { QueueMemberEvent } from '../ami/events.ts';
import type { Logger } from '../log.ts';

/** Pure: the QueueLog action's fields for a member event, or undefined for a static member. */
export function sessionLine(kind: 'added' | 'removed', e: QueueMemberEvent, nowSec: number): { queue: string; event: string; interface: string; message: string } | undefined {
  if (e.membership !== 'dynamic') return undefined;
  const agent = e.name || e.interface;
  if (kind === 'added') return { queue: e.queue, event: 'AGENTLOGIN', interface: agent, message: e.interface };
  const seconds = e.loginTime > 0 ? Math.max(0, Math.round(nowSec - e.loginTime)) : 0;
  return { queue: e.queue, event: 'AGENTLOGOFF', interface: agent, message: `${e.interface}|${seconds}` };
}

export class QueueLogSessions {
  readonly #ami: Pick<AmiClient, 'on' | 'off' | 'queueLog'>;
  readonly #log: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(ami: Pick<AmiClient, 'on' | 'off' | 'queueLog'>, log: Logger) {
    this.#ami = ami;
    this.#log = log;
  }

  readonly #onAdded = (e: QueueMemberEvent): void => this.#write('added', e);
  readonly #onRemoved = (e: QueueMemberEvent): void => this.#write('removed', e);

  start(): void {
    this.#ami.on('QueueMemberAdded', this.#onAdded);
    this.#ami.on('QueueMemberRemoved', this.#onRemoved);
  }

  async stop(): Promise<void> {
    this.#ami.off('QueueMemberAdded', this.#onAdded);
    this.#ami.off('QueueMemberRemoved', this.#onRemoved);
    await Promise.all(this.#pending);
  }

  #write(kind: 'added' | 'removed', e: QueueMemberEvent): void {
    const line = sessionLine(kind, e, Date.now() / 1000);
    if (!line) return;
    // A line lost with the AMI link is not worth failing anything for: logged.
    const p = this.#ami.queueLog(line).catch((err: Error) => {
      this.#log.warn({ queue: line.queue, event: line.event, agent: line.interface, err: err.message }, 'queue_log session line not written');
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }
}
