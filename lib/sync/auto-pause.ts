// Pauses a member agentgate logged in (a number or an agent) after it left
// N queue calls in a row unanswered (AgentRingNoAnswer: no answer within the
// ring time, a reject, a confirmation not given), with the queue's reason,
// through the same verbs and member transaction as a pause asked by hand
// (locks, intent, undo, audit). The count is kept in Redis, so it survives a
// restart, and starts again on an answer (AgentConnect), a login
// (QueueMemberAdded) and an unpause (QueueMemberPause, Paused 0) whatever
// their source. With a cool-down, the service lifts its own pause later,
// unless the member was paused again for another reason meanwhile; the due
// times are in Redis too. The decisions are auto-pause-plan.ts.
import type { AgentRingNoAnswerEvent, AgentConnectEvent, QueueMemberEvent } from '../ami/events.ts';
import type { AmiClient } from '../ami/client.ts';
import { pauseAgent } from '../agents/pause.ts';
import type { AgentDeps } from '../agents/deps.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { liveMembership } from '../asterisk/pbx.ts';
import { getMemberRecord, type MemberRecord } from '../members/records.ts';
import { pauseInterface } from '../queues/pause.ts';
import type { Origin } from '../store/audit.ts';
import { storeOp, type Store } from '../store/redis.ts';
import { queueName } from '../validate.ts';
import { planAutoPause, ruleFor, type RingOutcome } from './auto-pause-plan.ts';

export interface AutoPauseOptions {
  ami: Pick<AmiClient, 'on' | 'off'>;
  store: Store;
  log: Logger;
  config: Config['autoPause'];
  /** The verbs' dependencies (an agent's pause needs the agent ones; a number's are a subset). */
  deps: AgentDeps;
  /** A member was auto-paused (metrics). */
  onAutoPause?: (queue: string, reason: string) => void;
  /** How often due cool-downs are looked for. Default 2000 ms. */
  pollMs?: number;
  /** An add by this process (lib/sync/own-changes.ts): its record has already reset the count. */
  ownAdd?: (queue: string, iface: string) => boolean;
}

/** A count left alone this long is forgotten: misses a day apart are not "in a row". */
const COUNT_TTL_SEC = 86_400;

const ORIGIN: Origin = { source: 'auto', by: 'auto-pause' };

export class AutoPause {
  readonly #o: AutoPauseOptions;
  /** queue|interface -> the work on that member, one event after another. */
  readonly #chains = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: AutoPauseOptions) {
    this.#o = o;
  }

  readonly #onNoAnswer = (e: AgentRingNoAnswerEvent): void => this.note(e.queue, e.interface, 'noanswer');
  readonly #onConnect = (e: AgentConnectEvent): void => this.note(e.queue, e.interface, 'answered');
  readonly #onAdded = (e: QueueMemberEvent): void => {
    if (!this.#o.ownAdd?.(e.queue, e.interface)) this.note(e.queue, e.interface, 'fresh');
  };
  readonly #onPause = (e: QueueMemberEvent): void => {
    if (!e.paused) this.note(e.queue, e.interface, 'fresh');
  };

  start(): void {
    const { ami } = this.#o;
    ami.on('AgentRingNoAnswer', this.#onNoAnswer);
    ami.on('AgentConnect', this.#onConnect);
    ami.on('QueueMemberAdded', this.#onAdded);
    ami.on('QueueMemberPause', this.#onPause);
    this.#timer = setInterval(() => void this.liftDue(), this.#o.pollMs ?? 2000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const { ami } = this.#o;
    ami.off('AgentRingNoAnswer', this.#onNoAnswer);
    ami.off('AgentConnect', this.#onConnect);
    ami.off('QueueMemberAdded', this.#onAdded);
    ami.off('QueueMemberPause', this.#onPause);
    clearInterval(this.#timer);
    await this.idle();
  }

  /** Resolves when every event noted so far is handled. */
  async idle(): Promise<void> {
    while (this.#chains.size) await Promise.all(this.#chains.values());
  }

  note(queue: string, iface: string, outcome: RingOutcome): void {
    if (this.#stopped || !queue || !iface) return;
    const key = `${queueName(queue)}|${iface.toLowerCase()}`;
    const run = (this.#chains.get(key) ?? Promise.resolve()).then(() => this.#handle(queue, iface, outcome)).catch((err: Error) => {
      this.#o.log.warn({ queue, interface: iface, outcome, err: err.message }, 'unanswered-ring count not updated');
    });
    this.#chains.set(key, run);
    void run.finally(() => {
      if (this.#chains.get(key) === run) this.#chains.delete(key);
    });
  }

  async #handle(queue: string, iface: string, outcome: RingOutcome): Promise<void> {
    const { store, log } = this.#o;
    const { redis, keys } = store;
    const countKey = keys.noAnswer(queue, iface);
    const rule = ruleFor(this.#o.config, queue);
    const rec = outcome === 'noanswer' ? await getMemberRecord(store, queueName(queue), iface) : undefined;
    const before = Number(await storeOp('read no-answer count', () => redis.get(countKey))) || 0;
    const step = planAutoPause(rule, outcome, before, { managed: rec?.source === 'agentgate', paused: rec?.paused ?? false });
    switch (step.do) {
      case 'ignore':
        return;
      case 'reset':
        await storeOp('reset no-answer count', () => redis.del(countKey));
        return;
      case 'count':
        await storeOp('count no-answer', () => redis.multi().incr(countKey).expire(countKey, COUNT_TTL_SEC).exec());
        return;
      case 'pause': {
        log.info({ queue, interface: iface, subject: rec!.subject, misses: before + 1, reason: step.reason }, 'member left calls unanswered; pausing it');
        await this.#pause(rec!, 'pause', step.reason);
        await storeOp('reset no-answer count', () => redis.del(countKey));
        if (step.cooldownSec > 0) {
          await storeOp('schedule auto-unpause', () => redis.zadd(keys.autoPauseDue(), Date.now() + step.cooldownSec * 1000, dueMember(rec!.queue, iface)));
        }
        this.#o.onAutoPause?.(queueName(queue), step.reason);
      }
    }
  }

  /** Through the verb that owns the member: an agent's pause (agent lock first), or a number's. */
  async #pause(rec: MemberRecord, mode: 'pause' | 'unpause', reason?: string): Promise<void> {
    const { deps } = this.#o;
    const queue = queueName(rec.queue);
    if (rec.kind === 'agent') {
      await pauseAgent(deps, { agentId: rec.subject, mode, queue, ...(reason ? { reason } : {}), origin: ORIGIN });
    } else {
      await pauseInterface(deps, {
        number: rec.subject, interfaces: [rec.interface], mode, queue, ...(reason ? { reason } : {}), origin: ORIGIN,
        action: mode === 'pause' ? 'auto-pause' : 'auto-unpause',
      });
    }
  }

  /** Lifts the auto-pauses whose cool-down is over, if they still stand as the auto-pause left them. */
  async liftDue(): Promise<void> {
    const { store, log, deps } = this.#o;
    const { redis, keys } = store;
    if (this.#stopped || redis.status !== 'ready') return;
    let due: string[];
    try {
      due = await redis.zrangebyscore(keys.autoPauseDue(), '-inf', Date.now(), 'LIMIT', 0, 100);
    } catch {
      return;
    }
    for (const item of due) {
      const [queue = '', iface = ''] = item.split(' ');
      try {
        const rec = await getMemberRecord(store, queue, iface);
        const live = rec ? (await liveMembership(deps.pbx, iface)).get(queueName(queue)) : undefined;
        // Someone else unpaused it, logged it out, or paused it again for another reason: theirs stands.
        if (rec && live?.paused && live.pausedReason === ruleFor(this.#o.config, queue).reason) {
          await this.#pause(rec, 'unpause');
          log.info({ queue, interface: iface, subject: rec.subject }, 'auto-pause lifted after its cool-down');
        }
        await redis.zrem(keys.autoPauseDue(), item);
      } catch (err) {
        log.warn({ queue, interface: iface, err: (err as Error).message }, 'auto-pause not lifted yet; retrying');
      }
    }
  }
}

function dueMember(queue: string, iface: string): string {
  return `${queueName(queue)} ${iface}`;
}
