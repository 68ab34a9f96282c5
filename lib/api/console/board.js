// The wallboard's state, kept from the live stream: the snapshot replaces it,
// every change after it is applied in place (member events carry the member's
// whole state, so they are upserts). Pure: no DOM, no clock but the events'.

const key = (queue, iface) => `${queue.toLowerCase()}\u0000${iface.toLowerCase()}`;

export class Board {
  constructor() {
    this.members = new Map();
    /** queue (lower case) -> { queue, waiting } */
    this.queues = new Map();
    /** agent id -> presence { agent, phone, interface, since, queues } */
    this.agents = new Map();
    /** queue (lower case) -> { abandoned, noAnswer } counted since the page opened */
    this.counted = new Map();
    this.pbx = { connected: false, synced: false };
    this.snapshotAt = null;
    /** Recent changes worth a line in the activity list, newest first. */
    this.activity = [];
  }

  #queue(name) {
    const lower = name.toLowerCase();
    let q = this.queues.get(lower);
    if (!q) this.queues.set(lower, (q = { queue: name, waiting: [] }));
    return q;
  }

  #count(name, what) {
    const lower = name.toLowerCase();
    const c = this.counted.get(lower) ?? { abandoned: 0, noAnswer: 0 };
    c[what] += 1;
    this.counted.set(lower, c);
  }

  #note(at, text, kind = 'info') {
    this.activity.unshift({ at, text, kind });
    this.activity.length = Math.min(this.activity.length, 12);
  }

  #upsert(m) {
    this.#queue(m.queue);
    this.members.set(key(m.queue, m.interface), m);
  }

  /** Applies one stream event; returns true when what is shown changed. */
  apply(type, d) {
    const who = (m) => (m.agent ? `agent ${m.agent}` : m.name || m.number || m.interface);
    switch (type) {
      case 'snapshot':
        this.members.clear();
        this.queues.clear();
        this.agents.clear();
        for (const q of d.queues) this.#queue(q.queue).waiting = q.waiting;
        for (const m of d.members) this.#upsert(m);
        for (const a of d.agents) this.agents.set(a.agent, a);
        this.pbx = { connected: d.connected, synced: d.synced };
        this.snapshotAt = d.at;
        return true;
      case 'loggedIn':
        this.#upsert(d.member);
        this.#note(d.at, `${who(d.member)} logged in to ${d.queue}`, 'in');
        return true;
      case 'loggedOut':
        this.members.delete(key(d.member.queue, d.member.interface));
        this.#note(d.at, `${who(d.member)} logged out of ${d.queue}`, 'out');
        return true;
      case 'paused':
        this.#upsert(d.member);
        this.#note(d.at, `${who(d.member)} paused in ${d.queue}${d.member.reason ? ` (${d.member.reason})` : ''}`, 'pause');
        return true;
      case 'unpaused':
        this.#upsert(d.member);
        this.#note(d.at, `${who(d.member)} unpaused in ${d.queue}`, 'in');
        return true;
      case 'callStarted':
        this.#upsert(d.member);
        this.#note(d.at, `${who(d.member)} answered ${d.call.remote || 'a caller'} in ${d.queue}`, 'call');
        return true;
      case 'updated': case 'status': case 'callEnded':
        this.#upsert(d.member);
        return true;
      case 'offered':
        return false;
      case 'ringNoAnswer':
        this.#count(d.queue, 'noAnswer');
        this.#note(d.at, `${who(d.member)} did not answer a call from ${d.caller.number || 'unknown'} in ${d.queue}`, 'warn');
        return true;
      case 'callers':
        this.#queue(d.queue).waiting = d.waiting;
        if (d.change === 'abandoned') {
          this.#count(d.queue, 'abandoned');
          this.#note(d.at, `${d.caller?.number || 'A caller'} hung up while waiting in ${d.queue}`, 'warn');
        }
        return true;
      case 'agentLoggedIn':
        this.agents.set(d.agent, { agent: d.agent, phone: d.phone, interface: d.interface, since: d.since, queues: d.queues });
        for (const m of d.members) this.#upsert(m);
        return true;
      case 'agentLoggedOut':
        this.agents.delete(d.agent);
        return true;
      case 'refused':
        this.#note(d.at, `Refused: ${d.action} for ${d.subject}${d.queue ? ` in ${d.queue}` : ''}: ${d.code}${d.by ? ` (by ${d.by})` : ''}`, 'warn');
        return true;
      case 'pbx':
        this.pbx = { connected: d.connected, synced: d.synced };
        return true;
      default:
        return false;
    }
  }

  /** Queues in name order, each with its members (by name) and counters. */
  view() {
    const byQueue = new Map([...this.queues.keys()].map((k) => [k, []]));
    for (const m of this.members.values()) {
      const lower = m.queue.toLowerCase();
      if (!byQueue.has(lower)) byQueue.set(lower, []);
      byQueue.get(lower).push(m);
    }
    return [...byQueue.entries()]
      .map(([lower, members]) => {
        const q = this.queues.get(lower) ?? { queue: members[0].queue, waiting: [] };
        members.sort((a, b) => (a.name || a.interface).localeCompare(b.name || b.interface));
        const c = this.counted.get(lower) ?? { abandoned: 0, noAnswer: 0 };
        return {
          queue: q.queue,
          members,
          waiting: [...q.waiting].sort((a, b) => a.position - b.position),
          counters: {
            loggedIn: members.length,
            available: members.filter((m) => stateOf(m).word === 'available').length,
            onCall: members.filter((m) => stateOf(m).word === 'oncall').length,
            paused: members.filter((m) => m.paused).length,
            waiting: q.waiting.length,
            // CallsTaken moves on when a call ends: calls in progress are answered too.
            answered: members.reduce((n, m) => n + (m.callsTaken || 0) + (m.call ? 1 : 0), 0),
            abandoned: c.abandoned,
            noAnswer: c.noAnswer,
          },
        };
      })
      .sort((a, b) => a.queue.localeCompare(b.queue, undefined, { numeric: true }));
  }
}

const BUSY = new Set(['in-use', 'busy', 'on-hold', 'ring-in-use']);
const GONE = new Set(['unavailable', 'invalid']);

/** What a supervisor reads first about a member: one word, and the time it counts from. */
export function stateOf(m) {
  if (m.call || m.inCall || BUSY.has(m.status)) return { word: 'oncall', label: 'On call', from: m.call?.since ?? null };
  if (m.paused) return { word: 'paused', label: 'Paused', from: m.pausedSince };
  if (m.status === 'ringing') return { word: 'ringing', label: 'Ringing', from: null };
  if (GONE.has(m.status)) return { word: 'unavailable', label: 'Unavailable', from: null };
  return { word: 'available', label: 'Available', from: null };
}

/** mobile, desk or agent: how the member rings. */
export function kindOf(m) {
  if (m.agent) return 'agent';
  if (/^(PJSIP|SIP|IAX2|DAHDI)\//i.test(m.interface) || /@from-(queue|internal)\b/i.test(m.interface)) return 'desk';
  if (/^Local\//i.test(m.interface)) return 'mobile';
  return 'other';
}
