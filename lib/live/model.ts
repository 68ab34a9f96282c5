// The agent/queue model, digested from AMI events and rebuilt from QueueStatus.
// Pure: no socket, no clock of its own; each change returns the LiveEvents it
// caused. Changes are computed by comparing states, never by trusting an
// event's name, so an event seen twice (replayed after a re-sync) or one that
// repeats what the model already holds changes nothing and says nothing.
import { parseTypedEvent } from '../ami/events.ts';
import type { AmiEvent } from '../ami/parser.ts';
import type {
  AgentCalledEvent,
  AgentCompleteEvent,
  AgentConnectEvent,
  AgentRingNoAnswerEvent,
  QueueCallerAbandonEvent,
  QueueCallerJoinEvent,
  QueueCallerLeaveEvent,
  QueueMember,
  QueueMemberEvent,
  QueueStatusResult,
} from '../ami/client.ts';
import type { Caller, CallInfo, LiveEvent, MemberView, QueueView } from './events.ts';
import { busyWithCall, statusWord } from '../asterisk/device-state.ts';
import { memberKey } from '../asterisk/interfaces.ts';
import { compareText } from '../compare-text.ts';

export interface Identity {
  number: string | null;
  agent: string | null;
}

export interface ModelOptions {
  /** Who is behind a member interface (number from its shape, agent from the bindings). */
  identify(iface: string): Identity;
  now(): number;
}

/** A member as the model holds it: the view without what is derived when shown (who, status word), and what a change needs to put it back. */
type MemberState = Omit<MemberView, 'number' | 'agent' | 'status'> & { stateInterface: string; wrapuptime: number };

type ScopedMember = { at: number; queue: string; agent?: string; number?: string; member: MemberView };

const key = memberKey;

export class LiveModel {
  readonly #o: ModelOptions;
  readonly #members = new Map<string, MemberState>();
  /** Interface (lower case) -> the keys of its members: a change reads one interface, not every member. */
  readonly #byInterface = new Map<string, Set<string>>();
  /** Queue (lower case) -> its name and its waiting callers by uniqueid. */
  readonly #queues = new Map<string, { name: string; callers: Map<string, Caller> }>();

  constructor(o: ModelOptions) {
    this.#o = o;
  }

  // ---- reading ------------------------------------------------------------

  view(m: MemberState): MemberView {
    const id = this.#o.identify(m.interface);
    return {
      queue: m.queue, interface: m.interface, number: id.number, agent: id.agent, name: m.name, membership: m.membership,
      penalty: m.penalty, paused: m.paused, reason: m.reason, pausedSince: m.pausedSince, status: statusWord(m.statusCode),
      statusCode: m.statusCode, inCall: m.inCall, since: m.since, callsTaken: m.callsTaken, call: m.call && { ...m.call },
    };
  }

  members(): MemberView[] {
    return [...this.#members.values()].map((m) => this.view(m)).sort(byQueueThenInterface);
  }

  /**
   * The members of these interfaces as Asterisk reported them, in QueueStatus's
   * shape: what a member change decides from (lib/asterisk/pbx.ts MemberMirror).
   */
  asterisk(interfaces: readonly string[]): QueueMember[] {
    const out: QueueMember[] = [];
    for (const iface of new Set(interfaces.map((i) => i.toLowerCase()))) {
      for (const k of this.#byInterface.get(iface) ?? []) {
        const m = this.#members.get(k)!;
        out.push({
          queue: m.queue, name: m.name, interface: m.interface, stateInterface: m.stateInterface, membership: m.membership, penalty: m.penalty,
          callsTaken: m.callsTaken, lastCall: 0, lastPause: m.pausedSince === null ? 0 : Math.floor(m.pausedSince / 1000),
          loginTime: m.since === null ? 0 : Math.floor(m.since / 1000), inCall: m.inCall, status: m.statusCode, paused: m.paused,
          pausedReason: m.reason, wrapuptime: m.wrapuptime,
        });
      }
    }
    return out;
  }

  membersAt(iface: string): MemberView[] {
    return [...(this.#byInterface.get(iface.toLowerCase()) ?? [])].map((k) => this.view(this.#members.get(k)!)).sort(byQueueThenInterface);
  }

  queueNames(): string[] {
    return [...this.#queues.values()].map((q) => q.name).sort();
  }

  queues(): QueueView[] {
    const all = this.members();
    return this.queueNames().map((name) => {
      const members = all.filter((m) => m.queue.toLowerCase() === name.toLowerCase());
      const waiting = this.#waiting(name);
      return {
        queue: name,
        members,
        loggedIn: members.length,
        available: members.filter((m) => !m.paused && (m.statusCode === 0 || m.statusCode === 1)).length,
        paused: members.filter((m) => m.paused).length,
        callers: waiting.length,
        waiting,
      };
    });
  }

  // ---- member events --------------------------------------------------------

  /** QueueMemberAdded, QueueMemberPause, QueueMemberStatus: the member as it is now. */
  memberSeen(e: QueueMemberEvent): LiveEvent[] {
    this.#queue(e.queue);
    const k = key(e.queue, e.interface);
    const before = this.#members.get(k);
    const after = this.#fromReport(e, before);
    this.#put(k, after);
    return this.#diff(before, after);
  }

  memberRemoved(e: QueueMemberEvent): LiveEvent[] {
    const k = key(e.queue, e.interface);
    const before = this.#members.get(k);
    if (!before) return [];
    this.#drop(k, before);
    return this.#diff(before, undefined);
  }

  // ---- calls ----------------------------------------------------------------

  agentCalled(e: AgentCalledEvent): LiveEvent[] {
    return [{ type: 'offered', ...this.#memberScope(e), caller: callerOf(e) }];
  }

  agentRingNoAnswer(e: AgentRingNoAnswerEvent): LiveEvent[] {
    return [{ type: 'ringNoAnswer', ...this.#memberScope(e), caller: callerOf(e), ringTime: e.ringTime }];
  }

  agentConnect(e: AgentConnectEvent): LiveEvent[] {
    const m = this.#members.get(key(e.queue, e.interface));
    const call: CallInfo = { remote: e.callerIdNum, remoteName: e.callerIdName, uniqueid: e.uniqueid, since: this.#o.now(), holdTime: e.holdTime };
    // app_queue marks the member in a call from here on (InCall in QueueStatus).
    if (m) {
      m.call = call;
      m.inCall = true;
    }
    return [{ type: 'callStarted', ...this.#memberScope(e), call: { ...call } }];
  }

  agentComplete(e: AgentCompleteEvent): LiveEvent[] {
    const m = this.#members.get(key(e.queue, e.interface));
    if (m) {
      m.call = null;
      m.inCall = false;
    }
    const summary = { remote: e.callerIdNum, remoteName: e.callerIdName, uniqueid: e.uniqueid, holdTime: e.holdTime, talkTime: e.talkTime, reason: e.reason };
    return [{ type: 'callEnded', ...this.#memberScope(e), summary }];
  }

  // ---- callers --------------------------------------------------------------

  callerJoined(e: QueueCallerJoinEvent): LiveEvent[] {
    const q = this.#queue(e.queue);
    if (q.callers.has(e.uniqueid)) return [];
    const caller: Caller = { uniqueid: e.uniqueid, number: e.callerIdNum, name: e.callerIdName, position: e.position, since: this.#o.now() };
    q.callers.set(e.uniqueid, caller);
    return [this.#callers(q.name, 'joined', caller)];
  }

  callerLeft(e: QueueCallerLeaveEvent | QueueCallerAbandonEvent, change: 'left' | 'abandoned'): LiveEvent[] {
    const q = this.#queue(e.queue);
    const caller = q.callers.get(e.uniqueid);
    if (!caller) return [];
    q.callers.delete(e.uniqueid);
    // Those behind move up, as app_queue renumbers them.
    for (const c of q.callers.values()) if (c.position > caller.position) c.position -= 1;
    return [this.#callers(q.name, change, caller)];
  }

  // ---- re-sync --------------------------------------------------------------

  /**
   * Replaces the model with what one QueueStatus reports and says what
   * differs. A call known before is kept while Asterisk still shows the
   * member taken by a call; otherwise it ended unseen (summary null).
   */
  rebuild(status: QueueStatusResult): LiveEvent[] {
    const out: LiveEvent[] = [];
    const reported = new Set<string>();
    for (const p of status.params) reported.add(this.#queue(p.queue).name.toLowerCase());

    const seen = new Set<string>();
    // Asterisk lists queues in its hash order; clients get the changes in queue order.
    const members = [...status.members].sort((a, b) => compareText(a.queue, b.queue) || compareText(a.interface, b.interface));
    for (const m of members) {
      const k = key(m.queue, m.interface);
      seen.add(k);
      this.#queue(m.queue);
      const before = this.#members.get(k);
      const after = this.#fromReport(m, before);
      if (before?.call && !(after.inCall || busyWithCall(after.statusCode))) after.call = null;
      this.#put(k, after);
      if (before?.call && !after.call) out.push({ type: 'callEnded', ...this.#scoped(after), summary: null });
      out.push(...this.#diff(before, after));
    }
    for (const [k, before] of [...this.#members]) {
      if (seen.has(k)) continue;
      this.#drop(k, before);
      if (before.call) out.push({ type: 'callEnded', ...this.#scoped({ ...before, call: null }), summary: null });
      out.push(...this.#diff(before, undefined));
    }

    const entries = new Map<string, QueueStatusResult['entries']>();
    for (const e of status.entries) entries.set(e.queue.toLowerCase(), [...(entries.get(e.queue.toLowerCase()) ?? []), e]);
    for (const q of this.#queues.values()) {
      const now = this.#o.now();
      const fresh = new Map<string, Caller>();
      for (const e of entries.get(q.name.toLowerCase()) ?? []) {
        const known = q.callers.get(e.uniqueid);
        fresh.set(e.uniqueid, { uniqueid: e.uniqueid, number: e.callerIdNum, name: e.callerIdName, position: e.position, since: known?.since ?? now - e.wait * 1000 });
      }
      const same = fresh.size === q.callers.size && [...fresh.values()].every((c) => q.callers.get(c.uniqueid)?.position === c.position);
      q.callers.clear();
      for (const [id, c] of fresh) q.callers.set(id, c);
      if (!same) out.push(this.#callers(q.name, 'resync', null));
    }
    // A queue Asterisk no longer has (removed from its configuration) goes once it is empty.
    for (const lower of [...this.#queues.keys()]) {
      if (!reported.has(lower) && ![...this.#members.values()].some((m) => m.queue.toLowerCase() === lower)) this.#queues.delete(lower);
    }
    return out;
  }

  // ---- internals ------------------------------------------------------------

  #queue(name: string): { name: string; callers: Map<string, Caller> } {
    let q = this.#queues.get(name.toLowerCase());
    if (!q) this.#queues.set(name.toLowerCase(), (q = { name, callers: new Map() }));
    return q;
  }

  #waiting(queue: string): Caller[] {
    const q = this.#queues.get(queue.toLowerCase());
    return q ? [...q.callers.values()].sort((a, b) => a.position - b.position).map((c) => ({ ...c })) : [];
  }

  #callers(queue: string, change: 'joined' | 'left' | 'abandoned' | 'resync', caller: Caller | null): LiveEvent {
    const waiting = this.#waiting(queue);
    return { type: 'callers', at: this.#o.now(), queue, count: waiting.length, change, caller: caller && { ...caller }, waiting };
  }

  #put(k: string, m: MemberState): void {
    this.#members.set(k, m);
    const i = m.interface.toLowerCase();
    const keys = this.#byInterface.get(i) ?? new Set<string>();
    keys.add(k);
    this.#byInterface.set(i, keys);
  }

  #drop(k: string, m: MemberState): void {
    this.#members.delete(k);
    const i = m.interface.toLowerCase();
    const keys = this.#byInterface.get(i);
    keys?.delete(k);
    if (keys?.size === 0) this.#byInterface.delete(i);
  }

  #fromReport(r: QueueMember, before: MemberState | undefined): MemberState {
    const now = this.#o.now();
    return {
      queue: r.queue,
      interface: r.interface,
      name: r.name,
      membership: r.membership,
      penalty: r.penalty,
      paused: r.paused,
      reason: r.paused ? r.pausedReason : '',
      pausedSince: r.paused ? (before?.paused ? before.pausedSince : r.lastPause > 0 ? r.lastPause * 1000 : now) : null,
      statusCode: r.status,
      inCall: r.inCall,
      since: r.loginTime > 0 ? r.loginTime * 1000 : (before?.since ?? null),
      callsTaken: r.callsTaken,
      call: before?.call ?? null,
      stateInterface: r.stateInterface,
      wrapuptime: r.wrapuptime,
    };
  }

  #scoped(m: MemberState): ScopedMember {
    const member = this.view(m);
    return { at: this.#o.now(), queue: m.queue, ...(member.agent ? { agent: member.agent } : {}), ...(member.number ? { number: member.number } : {}), member };
  }

  // For call events: the member as known, or what the event itself says of it.
  #memberScope(e: AgentCalledEvent): ScopedMember {
    const m = this.#members.get(key(e.queue, e.interface));
    return this.#scoped(m ?? {
      queue: e.queue, interface: e.interface, name: e.memberName, membership: '', penalty: 0, paused: false, reason: '',
      pausedSince: null, statusCode: 0, inCall: false, since: null, callsTaken: 0, call: null, stateInterface: '', wrapuptime: 0,
    });
  }

  #diff(before: MemberState | undefined, after: MemberState | undefined): LiveEvent[] {
    if (!before && !after) return [];
    if (!before) return [{ type: 'loggedIn', ...this.#scoped(after!) }];
    if (!after) return [{ type: 'loggedOut', ...this.#scoped(before) }];
    const out: LiveEvent[] = [];
    if (before.name !== after.name || before.penalty !== after.penalty || before.membership !== after.membership) {
      out.push({ type: 'updated', ...this.#scoped(after) });
    }
    if (!before.paused && after.paused) out.push({ type: 'paused', ...this.#scoped(after) });
    else if (before.paused && !after.paused) out.push({ type: 'unpaused', ...this.#scoped(after) });
    else if (after.paused && before.reason !== after.reason) out.push({ type: 'paused', ...this.#scoped(after) });
    if (before.statusCode !== after.statusCode) out.push({ type: 'status', ...this.#scoped(after), previous: statusWord(before.statusCode) });
    return out;
  }
}

const DIGEST = {
  QueueMemberAdded: (m: LiveModel, e: AmiEvent) => m.memberSeen(parseTypedEvent('QueueMemberAdded', e)),
  QueueMemberPause: (m: LiveModel, e: AmiEvent) => m.memberSeen(parseTypedEvent('QueueMemberPause', e)),
  QueueMemberStatus: (m: LiveModel, e: AmiEvent) => m.memberSeen(parseTypedEvent('QueueMemberStatus', e)),
  QueueMemberRemoved: (m: LiveModel, e: AmiEvent) => m.memberRemoved(parseTypedEvent('QueueMemberRemoved', e)),
  AgentCalled: (m: LiveModel, e: AmiEvent) => m.agentCalled(parseTypedEvent('AgentCalled', e)),
  AgentRingNoAnswer: (m: LiveModel, e: AmiEvent) => m.agentRingNoAnswer(parseTypedEvent('AgentRingNoAnswer', e)),
  AgentConnect: (m: LiveModel, e: AmiEvent) => m.agentConnect(parseTypedEvent('AgentConnect', e)),
  AgentComplete: (m: LiveModel, e: AmiEvent) => m.agentComplete(parseTypedEvent('AgentComplete', e)),
  QueueCallerJoin: (m: LiveModel, e: AmiEvent) => m.callerJoined(parseTypedEvent('QueueCallerJoin', e)),
  QueueCallerLeave: (m: LiveModel, e: AmiEvent) => m.callerLeft(parseTypedEvent('QueueCallerLeave', e), 'left'),
  QueueCallerAbandon: (m: LiveModel, e: AmiEvent) => m.callerLeft(parseTypedEvent('QueueCallerAbandon', e), 'abandoned'),
} as const;

/** Whether the model digests this AMI event. */
export function digests(name: string): name is keyof typeof DIGEST {
  return Object.hasOwn(DIGEST, name);
}

/** One AMI event into the model; the changes it made. */
export function digest(model: LiveModel, e: AmiEvent & { name: keyof typeof DIGEST }): LiveEvent[] {
  return DIGEST[e.name](model, e);
}

/**
 * Events held during a re-sync are replayed over the QueueStatus snapshot.
 * Member and caller events carry a whole state, so only the last one held for
 * a member (or a caller) can say anything the snapshot does not: the earlier
 * ones are older than the snapshot, and replaying them would show states
 * that are over. This names what an event is about; call events (undefined)
 * are always replayed, in order.
 */
export function supersedeKey(e: AmiEvent): string | undefined {
  const h = e.headers;
  const q = (h.queue ?? '').toLowerCase();
  if (e.name.startsWith('QueueMember')) return `member\u0000${q}\u0000${(h.interface ?? '').toLowerCase()}`;
  if (e.name === 'QueueCallerJoin' || e.name === 'QueueCallerLeave') return `caller\u0000${q}\u0000${h.uniqueid ?? ''}`;
  if (e.name === 'QueueCallerAbandon') return `abandon\u0000${q}\u0000${h.uniqueid ?? ''}`;
  return undefined;
}

/** The held items worth replaying, in order: for each key only its last. */
export function lastOfEach<T extends { key: string | undefined }>(held: readonly T[]): T[] {
  const last = new Map<string, number>();
  held.forEach((h, i) => {
    if (h.key !== undefined) last.set(h.key, i);
  });
  return held.filter((h, i) => h.key === undefined || last.get(h.key) === i);
}

function callerOf(e: AgentCalledEvent): { number: string; name: string; uniqueid: string } {
  return { number: e.callerIdNum, name: e.callerIdName, uniqueid: e.uniqueid };
}

function byQueueThenInterface(a: MemberView, b: MemberView): number {
  return compareText(a.queue, b.queue) || compareText(a.interface, b.interface);
}
