// The edge of the live model: one AMI connection's events in, LiveEvents out
// to the hub. After every (re)connect the model is rebuilt from one
// QueueStatus; events arriving meanwhile are held and the newest of each is
// replayed on top (the model compares states, so one the snapshot already
// shows says nothing), and the differences from before the outage go out as ordinary
// changes: nothing seen is lost, nothing unseen is invented. Agent identities
// and refusals come from the audit trail (audit-tail.ts).
import type { AmiClient, AmiClientEvents, QueueMember } from '../ami/client.ts';
import { AmiPermissionDeniedError } from '../ami/errors.ts';
import { AMI_EVENT_FILTER } from '../ami/subscriptions.ts';
import { listBindings, type AgentBinding } from '../agents/bindings.ts';
import type { Logger } from '../log.ts';
import type { AuditRecord } from '../store/audit.ts';
import { storeOp, type Store } from '../store/redis.ts';
import { tailAudit, type AuditTail } from './audit-tail.ts';
import type { AgentPresence, LiveEvent, Snapshot } from './events.ts';
import type { LiveHub } from './hub.ts';
import { digest, digests, lastOfEach, LiveModel, supersedeKey } from './model.ts';
import { inScope, type Scope } from './scope.ts';
import { numberOfInterface } from '../asterisk/interfaces.ts';
import type { MemberMirror } from '../asterisk/pbx.ts';
import { compareText } from '../compare-text.ts';

/**
 * The AMI Filter the feed sets, so Asterisk sends only the events agentgate
 * listens to. The connection, and so its filter, is shared by every part: the
 * filter is derived in lib/ami/subscriptions.ts from what each part declares.
 */
export const LIVE_AMI_FILTER = AMI_EVENT_FILTER;

type FeedEvents = Pick<AmiClientEvents, 'connected' | 'disconnected' | 'event'>;

export type LiveAmi = Pick<AmiClient, 'on' | 'off' | 'connected' | 'queueStatus' | 'filter'>;

export interface LiveFeedOptions {
  ami: LiveAmi;
  store: Store;
  log: Logger;
  hub: LiveHub;
  now?: () => number;
  /** Pause before retrying a re-sync whose QueueStatus failed. Default 1000 ms. */
  retryMs?: number;
  /** XREAD block of the audit tail. Default 5000 ms. */
  auditBlockMs?: number;
}

// Held events beyond this during a re-sync are dropped: the rebuild shows the
// state anyway, only passing events (a call summary) would be lost.
const MAX_HELD = 10_000;

// What may move an agent's binding. A number's own login or logout (kind
// `number`) does not: re-reading every binding for each would cost a toggle a
// Redis round trip and more.
const BINDING_ACTIONS = new Set(['login', 'logout', 'move', 'force-logout', 'delete']);
const REFUSALS = new Set(['REFUSED', 'LOCKED_OUT']);

export class LiveFeed implements MemberMirror {
  readonly model: LiveModel;
  readonly #o: LiveFeedOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Interface (lower case) -> the agent bound there. */
  #byInterface = new Map<string, AgentBinding>();
  /** Agent id -> the queues it was seen in since it logged in. */
  readonly #agentQueues = new Map<string, Set<string>>();
  #connected = false;
  #synced = false;
  #held: Array<{ key: string | undefined; apply: () => LiveEvent[] }> | null = null;
  /** Events were dropped while held: the rebuild that follows them cannot be trusted. */
  #heldOverflow = false;
  #generation = 0;
  /** Set once: the client puts it back on every new session. Or refused: the AMI user has no write=system, and its manager.conf eventfilter lines do the job. */
  #filterDone = false;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #tail: AuditTail | undefined;
  #bindingsChain: Promise<void> = Promise.resolve();
  readonly #listeners: Array<[string, (...args: never[]) => void]> = [];

  constructor(o: LiveFeedOptions) {
    this.#o = o;
    this.#log = o.log;
    this.#now = o.now ?? Date.now;
    this.model = new LiveModel({
      now: this.#now,
      identify: (iface) => ({ number: numberOfInterface(iface) ?? null, agent: this.#byInterface.get(iface.toLowerCase())?.agentId ?? null }),
    });
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** The model was rebuilt from Asterisk since the last (re)connect. */
  get synced(): boolean {
    return this.#synced;
  }

  /**
   * The members of these interfaces as the model has them, for a change to
   * decide from without a QueueStatus; undefined while the model may be
   * behind Asterisk: not rebuilt since the AMI link last came up.
   */
  liveMembers(interfaces: readonly string[]): QueueMember[] | undefined {
    return this.#connected && this.#synced && !this.#stopped ? this.model.asterisk(interfaces) : undefined;
  }

  start(): void {
    const { ami } = this.#o;
    const m = this.model;
    this.#on('connected', () => this.#onConnected());
    this.#on('disconnected', () => this.#onDisconnected());
    this.#on('event', (e) => {
      const name = e.name;
      if (digests(name)) this.#event(supersedeKey(e), () => digest(m, { ...e, name }));
    });
    this.#tail = tailAudit({
      store: this.#o.store,
      log: this.#log,
      onEntry: (rec) => this.#onAudit(rec),
      ...(this.#o.auditBlockMs !== undefined ? { blockMs: this.#o.auditBlockMs } : {}),
    });
    // Bindings not read while Redis was away (or changed meanwhile elsewhere) are read when it is back.
    this.#o.store.redis.on('ready', this.#onRedisReady);
    if (ami.connected) this.#onConnected();
  }

  readonly #onRedisReady = (): void => this.#announceBindings();

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#generation += 1;
    clearTimeout(this.#retry);
    const off = this.#o.ami.off as (n: string, f: (...a: never[]) => void) => unknown;
    for (const [name, fn] of this.#listeners) off.call(this.#o.ami, name, fn);
    this.#o.store.redis.off('ready', this.#onRedisReady);
    await this.#tail?.stop();
    await this.#bindingsChain;
  }

  /** The current state within a scope, as a client gets it on connecting. */
  snapshot(scope: Scope): Snapshot {
    const members = this.model.members().filter((m) => inScope(scope, { queue: m.queue, ...who(m.agent, m.number) }));
    const queues = this.model.queues().filter((q) => inScope(scope, { queue: q.queue })).map(({ members: _m, ...q }) => q);
    const agents = this.agents().filter((a) => inScope(scope, { agent: a.agent, number: a.phone, queues: a.queues }));
    return { at: this.#now(), connected: this.#connected, synced: this.#synced, members, queues, agents };
  }

  /** Where each logged-in agent is, as the bindings said at the last refresh. */
  agents(): AgentPresence[] {
    return [...this.#byInterface.values()]
      .map((b) => ({ agent: b.agentId, phone: b.phone, interface: b.interface, since: b.since, queues: [...new Set(this.model.membersAt(b.interface).map((m) => m.queue))].sort() }))
      .sort((a, b) => compareText(a.agent.padStart(20, '0'), b.agent.padStart(20, '0')));
  }

  // ---- AMI ------------------------------------------------------------------

  #on<K extends keyof FeedEvents>(name: K, fn: (...args: FeedEvents[K]) => void): void {
    (this.#o.ami.on as (n: string, f: (...a: never[]) => void) => unknown).call(this.#o.ami, name, fn as never);
    this.#listeners.push([name, fn as unknown as (...args: never[]) => void]);
  }

  #event(key: string | undefined, apply: () => LiveEvent[]): void {
    if (this.#held) {
      if (this.#held.length < MAX_HELD) this.#held.push({ key, apply });
      else this.#heldOverflow = true;
      return;
    }
    this.#publish(apply());
  }

  #onConnected(): void {
    if (this.#stopped) return;
    const generation = ++this.#generation;
    clearTimeout(this.#retry);
    this.#connected = true;
    this.#synced = false;
    this.#held = [];
    this.#heldOverflow = false;
    this.#publish([{ type: 'pbx', at: this.#now(), connected: true, synced: false }]);
    if (!this.#filterDone) {
      this.#o.ami.filter(LIVE_AMI_FILTER).then(() => {
        this.#filterDone = true;
      }, (err: Error) => {
        if (err instanceof AmiPermissionDeniedError) {
          this.#filterDone = true;
          this.#log.info('the AMI user may not set an event Filter (write=system); Asterisk filters by its eventfilter lines (dialplan/manager_custom.conf)');
        } else {
          this.#log.warn({ err: err.message }, 'AMI event filter not set; every event of the login mask still comes');
        }
      });
    }
    void this.#resync(generation);
  }

  #onDisconnected(): void {
    this.#generation += 1;
    clearTimeout(this.#retry);
    this.#connected = false;
    this.#synced = false;
    this.#held = null;
    this.#publish([{ type: 'pbx', at: this.#now(), connected: false, synced: false }]);
  }

  async #resync(generation: number): Promise<void> {
    const started = this.#now();
    try {
      const status = await this.#o.ami.queueStatus();
      // Agents that came or went while the link was down are told after the members, with them.
      const announce = await this.#refreshBindings().catch((err: Error) => {
        this.#log.warn({ err: err.message }, 'agent bindings not read; agents shown as before');
        return () => undefined;
      });
      if (generation !== this.#generation) {
        announce();
        return;
      }
      const changes = this.model.rebuild(status);
      const held = this.#held ?? [];
      this.#held = null;
      this.#publish(changes);
      announce();
      for (const h of lastOfEach(held)) this.#publish(h.apply());
      if (this.#heldOverflow) {
        // Some member change may be missing: changes must not decide from this
        // model (liveMembers), so it is rebuilt again, holding events anew.
        this.#heldOverflow = false;
        this.#held = [];
        this.#log.warn({ held: MAX_HELD }, 'events dropped while the live model was rebuilt; rebuilding it again');
        void this.#resync(generation);
        return;
      }
      this.#synced = true;
      this.#publish([{ type: 'pbx', at: this.#now(), connected: true, synced: true }]);
      this.#log.info({ members: status.members.length, callers: status.entries.length, changes: changes.length, replayed: held.length, ms: this.#now() - started }, 'live model rebuilt from QueueStatus');
    } catch (err) {
      if (generation !== this.#generation || this.#stopped) return;
      this.#log.warn({ err: (err as Error).message }, 'live model not rebuilt; retrying');
      this.#retry = setTimeout(() => void this.#resync(generation), this.#o.retryMs ?? 1000);
      this.#retry.unref();
    }
  }

  // ---- audit trail ------------------------------------------------------------

  #onAudit(rec: AuditRecord): void {
    if (rec.result === 'OK' && BINDING_ACTIONS.has(rec.action) && rec.kind !== 'number') {
      this.#announceBindings();
    } else if (REFUSALS.has(rec.result)) {
      void this.#refused(rec);
    }
  }

  async #refused(rec: AuditRecord): Promise<void> {
    // The subject is an agent id or a number, both digits: the PIN steps are
    // always about an agent, otherwise the accounts say.
    let isAgent = rec.action.startsWith('pin');
    if (!isAgent) {
      isAgent = await storeOp('is agent', () => this.#o.store.redis.sismember(this.#o.store.keys.agents(), rec.subject)).then((n) => n === 1, () => false);
    }
    const code = /^[A-Z][A-Z_]+/.exec(rec.detail ?? '')?.[0] ?? rec.result;
    this.#publish([{
      type: 'refused', at: rec.at,
      ...(rec.queue ? { queue: rec.queue } : {}),
      ...(isAgent ? { agent: rec.subject } : { number: rec.subject }),
      action: rec.action, subject: rec.subject, result: rec.result, code, detail: rec.detail ?? '', source: rec.source, by: rec.by ?? '',
    }]);
  }

  /**
   * Re-reads every binding (one refresh at a time, in order) and returns what
   * announces the agents that came and went, to be called once the model is
   * current (after a rebuild, its members at the agent's phone).
   */
  #refreshBindings(): Promise<() => void> {
    const run = this.#bindingsChain.then(async () => {
      if (this.#stopped) return () => undefined;
      const fresh = new Map((await listBindings(this.#o.store)).map((b) => [b.interface.toLowerCase(), b]));
      const before = this.#byInterface;
      this.#byInterface = fresh;
      const key = (b: AgentBinding) => `${b.agentId}\u0000${b.interface.toLowerCase()}`;
      const now = new Set([...fresh.values()].map(key));
      const was = new Set([...before.values()].map(key));
      const went = [...before.values()].filter((b) => !now.has(key(b)));
      const came = [...fresh.values()].filter((b) => !was.has(key(b)));
      return () => this.#publish([...went.map((b) => this.#presence('agentLoggedOut', b)), ...came.map((b) => this.#presence('agentLoggedIn', b))]);
    });
    this.#bindingsChain = run.then(() => undefined, () => undefined);
    return run;
  }

  #announceBindings(): void {
    this.#refreshBindings().then((announce) => announce(), (err: Error) => this.#log.warn({ err: err.message }, 'agent bindings not refreshed'));
  }

  #presence(type: 'agentLoggedIn' | 'agentLoggedOut', b: AgentBinding): LiveEvent {
    const members = type === 'agentLoggedIn' ? this.model.membersAt(b.interface) : [];
    const queues = new Set([...(this.#agentQueues.get(b.agentId) ?? []), ...members.map((m) => m.queue)]);
    if (type === 'agentLoggedOut') this.#agentQueues.delete(b.agentId);
    else this.#agentQueues.set(b.agentId, queues);
    return { type, at: this.#now(), agent: b.agentId, number: b.phone, phone: b.phone, interface: b.interface, since: b.since, queues: [...queues].sort(), members };
  }

  #publish(events: LiveEvent[]): void {
    if (events.length === 0) return;
    // Remember the queues each agent was seen in, for the scope of its logout (its members are gone by then).
    for (const e of events) {
      if (e.type === 'loggedIn' && e.agent && e.queue) this.#agentQueues.set(e.agent, new Set([...(this.#agentQueues.get(e.agent) ?? []), e.queue]));
    }
    this.#o.hub.publish(events);
  }
}

function who(agent: string | null, number: string | null): { agent?: string; number?: string } {
  return { ...(agent ? { agent } : {}), ...(number ? { number } : {}) };
}
