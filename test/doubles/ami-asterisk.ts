// A TCP server that speaks AMI as the recorded Asterisk 22 does
// (shared/asterisk/ami-*.log): the banner, Login (and a wrong secret answered
// late, then closed), the exact reply texts of app_queue and manager.c, event
// lists carrying the ActionID on every item, and an in-memory model of queues,
// members, globals and astdb. It reads input as Asterisk does: a line ends at
// CR LF or at a bare LF, a line that does not fit 1024 bytes is dumped and its
// tail read as a fresh line, and only the first 128 headers count; so what a
// client smuggles through a header shows up here as Asterisk would see it.
//
// Fault controls for tests: members changed behind the client's back, dropped
// connections, a stalled peer, a restart, refused connects.
import net from 'node:net';

export interface AmiDoubleOptions {
  username: string;
  secret: string;
  /** Queues as in queues.conf: a name, or a name and its strategy (default ringall). */
  queues: Array<string | { name: string; strategy?: string; ringinuse?: boolean }>;
  /**
   * The dialplan contexts that exist. A member `Local/<exten>@<context>...`
   * whose context is not among them reads Invalid (4), as chan_local reports a
   * missing extension (ami-more.log). Default: every context exists.
   */
  contexts?: string[];
  /** queues.conf persistentmembers: dynamic members are kept in astdb Queue/PersistentMembers/<queue>. Default true, as recorded. */
  persistentMembers?: boolean;
  /** Delay before "Authentication failed" and the close (Asterisk: about 1000 ms). Default 50. */
  loginFailureDelayMs?: number;
  /** Write every reply and event in two reads, cut in the middle (possibly mid-line or mid-character). */
  splitReplies?: boolean;
  /** Send events at all (to connections whose mask asks for them). Default true. */
  events?: boolean;
  /** Uptime at start, in seconds. Default 60, as recorded. */
  uptime?: number;
  /** How long restart() refuses connections. Default 100 ms. */
  restartDownMs?: number;
  /** Actions answered "Permission denied", as for an AMI user without the write class. */
  denyActions?: string[];
  /** Members from queues.conf (membership static). */
  staticMembers?: Array<{ queue: string; interface: string; name?: string; penalty?: number }>;
  /**
   * The user's classes in manager.conf (`write =`, `read =`). An action none of
   * whose classes the user writes is answered "Permission denied", as
   * process_message() of main/manager.c does (ACTION_AUTHORITY below); events of a
   * class the user does not read are never sent (set_eventmask ANDs readperm).
   * Default: every class.
   */
  rights?: { read?: string[]; write?: string[] };
  /**
   * The dialplan ShowDialPlan lists: context -> its extensions (names or
   * `_` patterns) and included contexts. A context not here is "Did not find context".
   */
  dialplan?: Record<string, { extensions?: string[]; includes?: string[] }>;
  /** Dialplan hints (`exten => <exten>,hint,<hint>` in <context>), listed by ExtensionStateList with their state. */
  hints?: Array<{ exten: string; context: string; hint: string }>;
  /** Global variables set at start (as [globals] of extensions.conf). */
  globals?: Record<string, string>;
  /** Output lines of Action: Command. Default: `queue show` and `database show` as Asterisk prints them, else one line naming the command. */
  commandOutput?: (command: string) => string[];
  /** Fixed port (default: any free one). */
  port?: number;
}

export interface DoubleMember {
  queue: string;
  interface: string;
  name: string;
  stateInterface: string;
  membership: 'dynamic' | 'static';
  penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  inCall: number;
  status: number;
  paused: boolean;
  pausedReason: string;
  ringinuse: number;
  wrapuptime: number;
}

export interface AddMemberOptions {
  name?: string;
  stateInterface?: string;
  penalty?: number;
  paused?: boolean;
  reason?: string;
  membership?: 'dynamic' | 'static';
  wrapuptime?: number;
  /** No QueueMemberAdded: an event the service never saw (a filter, a read class without `agent`). */
  quiet?: boolean;
}

export interface AmiDouble {
  readonly port: number;
  /** Every message received (Login included), headers as Asterisk reads them: first occurrence wins. */
  readonly actions: Array<Record<string, string>>;
  /** Bytes received on every connection so far. */
  readonly bytesReceived: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** TCP connections open now (a client's close is seen here once its FIN is read). */
  readonly openConnections: number;
  /** Successful logins so far. */
  readonly logins: number;
  /** Failed logins so far. */
  readonly loginFailures: number;
  /** Lines dumped for not fitting 1024 bytes (Asterisk logs "Dumping long line"). */
  readonly dumpedLines: number;
  /** QueueLog actions accepted. */
  readonly queueLog: Array<Record<string, string>>;
  /** Uptime (s) that FullyBooted would carry now. */
  uptime(): number;
  addMember(queue: string, iface: string, opts?: AddMemberOptions): void;
  /** `quiet`: no QueueMemberRemoved, an event the service never saw. */
  removeMember(queue: string, iface: string, opts?: { quiet?: boolean }): void;
  pauseMember(queue: string, iface: string, paused: boolean, reason?: string): void;
  members(queue?: string): DoubleMember[];
  /** Writes an astdb entry (`QPENALTY/8008/agents/1001`), as `database put` would. */
  putDb(key: string, value: string): void;
  /** Every astdb entry, key without the leading `/`. */
  db(): Map<string, string>;
  /** A device's state as Getvar DEVICE_STATE(...) answers it (UNKNOWN for a Custom: state never set). */
  deviceState(device: string): string;
  /** Sets a device's state, as `devstate change` or a phone would (a lamp a process lit before it died). */
  setDeviceState(device: string, state: string): void;
  /**
   * Called with each action as it is received, before Asterisk acts on it. A
   * test can drop the connections from here: the action is still carried out,
   * its reply never arrives (what a client sees when the link dies mid-action).
   */
  onAction(fn: ((action: Record<string, string>) => void) | undefined): void;
  /** A caller enters the queue (QueueCallerJoin); returns its Uniqueid. QueueStatus lists it as a QueueEntry. */
  addCaller(queue: string, caller: { number: string; name?: string }): string;
  /** The caller hangs up while waiting: QueueCallerAbandon, then QueueCallerLeave (as recorded). */
  abandonCaller(queue: string, uniqueid: string): void;
  /**
   * A member answers a waiting caller, in the recorded order: AgentCalled,
   * QueueMemberStatus (in use), QueueCallerLeave, AgentConnect. QueueStatus
   * then shows the member InCall.
   */
  answerCall(queue: string, uniqueid: string, iface: string): void;
  /** The call ends: AgentComplete, then QueueMemberStatus (not in use, CallsTaken and LastCall moved on). */
  completeCall(queue: string, iface: string, o?: { talkTime?: number; reason?: 'caller' | 'agent' | 'transfer' }): void;
  /**
   * The queue rings a member for a waiting caller and the member does not
   * answer within the ring time, as recorded (ami-queue-call-noanswer.log):
   * AgentCalled, then AgentRingNoAnswer with RingTime (ms). The caller keeps
   * waiting; a paused member is not rung (throws).
   */
  ringNoAnswer(queue: string, uniqueid: string, iface: string, o?: { ringTimeMs?: number }): void;
  /** Any event, to connections whose mask and filters let it through. */
  emitEvent(name: string, headers: Record<string, string | number>, category?: string): void;
  /** Raw bytes to every open connection. */
  sendRaw(text: string): void;
  dropConnections(): void;
  /** On: accept bytes, answer nothing (new connections get no banner and stay silent for good). */
  stall(on: boolean): void;
  /**
   * Shutdown event, close everything, refuse for restartDownMs, then come back
   * with Uptime from 0. With bootDelayMs, logins are accepted that long before
   * Asterisk is fully booted: they get no FullyBooted, which is broadcast when
   * the boot completes.
   */
  restart(opts?: { keepMembers?: boolean; bootDelayMs?: number }): Promise<void>;
  /** Refuse new TCP connections (no listener) or accept them again. */
  refuse(on: boolean): Promise<void>;
  stop(): Promise<void>;
}

const LINE_LIMIT = 1024;
const MAX_HEADERS = 128;
const CRLF = '\r\n';

const DEVICE_STATES: Record<string, number> = {
  UNKNOWN: 0,
  NOT_INUSE: 1,
  INUSE: 2,
  BUSY: 3,
  INVALID: 4,
  UNAVAILABLE: 5,
  RINGING: 6,
  RINGINUSE: 7,
  ONHOLD: 8,
};

type Mask = 'all' | 'none' | Set<string>;

interface Session {
  socket: net.Socket;
  buf: Buffer;
  off: number;
  lines: string[];
  authenticated: boolean;
  dead: boolean;
  silent: boolean;
  mask: Mask;
  filters: Array<{ re: RegExp; exclude: boolean }>;
  chain: Promise<void>;
}

interface Queue {
  name: string;
  strategy: string;
  /** queues.conf ringinuse: what a member gets unless QueueMemberRingInUse says otherwise (recorded: no). */
  ringinuse: boolean;
  members: Map<string, DoubleMember>;
  /** Waiting, in order: position is index + 1. */
  callers: DoubleCaller[];
  /** Member interface (lower case) -> the caller it is talking to. */
  calls: Map<string, DoubleCaller>;
}

interface DoubleCaller {
  uniqueid: string;
  channel: string;
  number: string;
  name: string;
  joinedAt: number;
}

// ast_true / ast_false of main/utils.c.
function isTrue(v: string): boolean {
  return ['yes', 'true', 'y', 't', '1', 'on'].includes(v.trim().toLowerCase());
}
function isFalse(v: string): boolean {
  return ['no', 'false', 'n', 'f', '0', 'off'].includes(v.trim().toLowerCase());
}

// set_eventmask/strings_to_mask of main/manager.c, by class name.
function parseMask(value: string | undefined): Mask {
  if (value === undefined || value.trim() === '') return 'all'; // no Events header: the user's read classes
  if (isTrue(value)) return 'all';
  if (isFalse(value)) return 'none';
  const classes = new Set(value.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean));
  return classes.has('all') ? 'all' : classes;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startAmiDouble(options: AmiDoubleOptions): Promise<AmiDouble> {
  const opts = {
    loginFailureDelayMs: 50,
    splitReplies: false,
    events: true,
    uptime: 60,
    restartDownMs: 100,
    denyActions: [] as string[],
    persistentMembers: true,
    ...options,
  };
  const denied = new Set(opts.denyActions.map((a) => a.toLowerCase()));
  const writeClasses = opts.rights?.write ? new Set(opts.rights.write.map((c) => c.toLowerCase())) : undefined;
  const readClasses = opts.rights?.read ? new Set(opts.rights.read.map((c) => c.toLowerCase())) : undefined;
  // send_events = readperm & mask.
  const limitToRead = (mask: Mask): Mask => {
    if (!readClasses || readClasses.has('all')) return mask;
    if (mask === 'none') return mask;
    const wanted = mask === 'all' ? readClasses : new Set([...mask].filter((c) => readClasses.has(c)));
    return wanted.size === 0 ? 'none' : new Set(wanted);
  };
  const mayRun = (action: string): boolean => {
    const authority = ACTION_AUTHORITY[action];
    if (!writeClasses || authority === undefined || authority.length === 0 || writeClasses.has('all')) return true;
    return authority.some((c) => writeClasses.has(c));
  };
  const sessions = new Set<Session>();
  const queues = new Map<string, Queue>();
  const globals = new Map<string, string>(Object.entries(opts.globals ?? {}));
  const astdbEntries = new Map<string, string>();
  const deviceStates = new Map<string, string>();
  const actions: Array<Record<string, string>> = [];
  const queueLog: Array<Record<string, string>> = [];
  let bytesReceived = 0;
  let connections = 0;
  let logins = 0;
  let loginFailures = 0;
  let dumpedLines = 0;
  let stalled = false;
  let bootAt = Date.now() - opts.uptime * 1000;
  let booting = false;
  let actionHook: ((action: Record<string, string>) => void) | undefined;
  let server: net.Server | undefined;
  let port = opts.port ?? 0;
  let stopped = false;

  for (const conf of opts.queues) {
    const { name, strategy = 'ringall', ringinuse = false } = typeof conf === 'string' ? { name: conf } : conf;
    queues.set(name.toLowerCase(), { name, strategy, ringinuse, members: new Map(), callers: [], calls: new Map() });
  }

  // app_queue keeps queues in a hash container of 53 buckets keyed by
  // ast_str_case_hash(name) and walks it bucket by bucket, so lists
  // (QueueStatus, QueueSummary, queue show) come in hash order, not
  // queues.conf order: 8009 before 8008, as recorded in ami-actions.log.
  const queueHash = (name: string): number => {
    let hash = 5381;
    for (const ch of Buffer.from(name.toLowerCase(), 'latin1')) hash = (Math.imul(hash, 33) ^ ch) | 0;
    return Math.abs(hash) % 53;
  };
  const queueList = (): Queue[] => [...queues.values()].sort((a, b) => queueHash(a.name) - queueHash(b.name));

  const uptime = (): number => Math.max(0, Math.floor((Date.now() - bootAt) / 1000));

  // ---- writing --------------------------------------------------------------

  function write(s: Session, text: string): void {
    if (s.silent || stalled || s.socket.destroyed) return;
    if (!opts.splitReplies) {
      s.socket.write(text);
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.length >> 1;
    s.chain = s.chain.then(async () => {
      if (s.socket.destroyed) return;
      s.socket.write(bytes.subarray(0, cut));
      await delay(2);
      if (!s.socket.destroyed) s.socket.write(bytes.subarray(cut));
      await delay(2);
    });
  }

  function endSession(s: Session): void {
    if (opts.splitReplies) void s.chain.then(() => s.socket.end());
    else s.socket.end();
  }

  function idLine(h: ReceivedHeaders): string {
    const id = h.get('ActionID');
    return id === undefined || id === '' ? '' : `ActionID: ${id}${CRLF}`;
  }

  function reply(s: Session, h: ReceivedHeaders, response: string, lines: string[] = []): void {
    write(s, `Response: ${response}${CRLF}${idLine(h)}${lines.map((l) => l + CRLF).join('')}${CRLF}`);
  }

  const ack = (s: Session, h: ReceivedHeaders, message: string): void => reply(s, h, 'Success', [`Message: ${message}`]);
  const fail = (s: Session, h: ReceivedHeaders, message: string): void => reply(s, h, 'Error', [`Message: ${message}`]);

  function listStart(h: ReceivedHeaders, message: string): string {
    return `Response: Success${CRLF}${idLine(h)}EventList: start${CRLF}Message: ${message}${CRLF}${CRLF}`;
  }

  function listComplete(h: ReceivedHeaders, event: string, items: number): string {
    return `Event: ${event}${CRLF}${idLine(h)}EventList: Complete${CRLF}ListItems: ${items}${CRLF}${CRLF}`;
  }

  // ---- events ---------------------------------------------------------------

  function wants(s: Session, category: string, text: string): boolean {
    if (!s.authenticated || s.dead || s.silent) return false;
    if (s.mask === 'none') return false;
    if (s.mask !== 'all' && !s.mask.has(category)) return false;
    if (s.filters.length === 0) return true;
    const includes = s.filters.filter((f) => !f.exclude);
    if (includes.length > 0 && !includes.some((f) => f.re.test(text))) return false;
    return !s.filters.some((f) => f.exclude && f.re.test(text));
  }

  function broadcast(name: string, category: string, body: string): void {
    if (!opts.events) return;
    const text = `Event: ${name}${CRLF}Privilege: ${category},all${CRLF}${body}${CRLF}`;
    for (const s of sessions) if (wants(s, category, text)) write(s, text);
  }

  function memberBody(m: DoubleMember): string {
    return [
      `Queue: ${m.queue}`,
      `MemberName: ${m.name}`,
      `Interface: ${m.interface}`,
      `StateInterface: ${m.stateInterface}`,
      `Membership: ${m.membership}`,
      `Penalty: ${m.penalty}`,
      `CallsTaken: ${m.callsTaken}`,
      `LastCall: ${m.lastCall}`,
      `LastPause: ${m.lastPause}`,
      `LoginTime: ${m.loginTime}`,
      `InCall: ${m.inCall}`,
      `Status: ${m.status}`,
      `Paused: ${m.paused ? 1 : 0}`,
      `PausedReason: ${m.pausedReason}`,
      `Ringinuse: ${m.ringinuse}`,
      `Wrapuptime: ${m.wrapuptime}`,
    ]
      .map((l) => l + CRLF)
      .join('');
  }

  // ---- the queue model (app_queue) ------------------------------------------

  function statusOf(stateInterface: string): number {
    // A custom device state nobody set is UNKNOWN (0); a Local member whose
    // extension exists reads Not in use (1), as recorded.
    if (stateInterface.toLowerCase().startsWith('custom:')) {
      return DEVICE_STATES[deviceStates.get(stateInterface.toLowerCase()) ?? 'UNKNOWN'] ?? 0;
    }
    const local = /^Local\/[^@]*@([^/]+)/i.exec(stateInterface);
    if (local?.[1] && opts.contexts && !opts.contexts.some((c) => c.toLowerCase() === local[1]?.toLowerCase())) return 4;
    return 1;
  }

  // dump_queue_members(): after every change of a dynamic member, app_queue
  // rewrites the queue's astdb entry, members joined with '|', each
  // interface;penalty;paused;membername;stateinterface;reason;wrapuptime
  // (the 'database show Queue' output in ami-actions.log); no member, no key.
  // Written when astdb is next touched, not at each change: the entry reads
  // the same, and a bench queue of 2,000 members made the double spend more
  // CPU rewriting it than the service under test spent on the toggle.
  const undumped = new Set<Queue>();
  function dumpQueueMembers(q: Queue): void {
    if (opts.persistentMembers) undumped.add(q);
  }
  function writeDumps(): void {
    for (const q of undumped) {
      const entries = [...q.members.values()]
        .filter((m) => m.membership === 'dynamic')
        .map((m) => [m.interface, m.penalty, m.paused ? 1 : 0, m.name, m.stateInterface, m.pausedReason, m.wrapuptime].join(';'));
      const key = `Queue/PersistentMembers/${q.name}`;
      if (entries.length === 0) astdbEntries.delete(key);
      else astdbEntries.set(key, entries.join('|'));
    }
    undumped.clear();
  }
  /** astdb, with every member change so far written to it. */
  function astdb(): Map<string, string> {
    if (undumped.size > 0) writeDumps();
    return astdbEntries;
  }

  function addMember(queue: string, iface: string, o: AddMemberOptions = {}): 'ok' | 'exists' | 'noqueue' {
    const q = queues.get(queue.toLowerCase());
    if (!q) return 'noqueue';
    if (q.members.has(iface.toLowerCase())) return 'exists';
    const stateInterface = o.stateInterface || iface;
    const paused = o.paused ?? false;
    const m: DoubleMember = {
      queue: q.name,
      interface: iface,
      name: o.name || iface,
      stateInterface,
      membership: o.membership ?? 'dynamic',
      penalty: o.penalty !== undefined && o.penalty >= 0 ? o.penalty : 0,
      callsTaken: 0,
      lastCall: 0,
      lastPause: paused ? now() : 0,
      loginTime: now(),
      inCall: 0,
      status: statusOf(stateInterface),
      paused,
      pausedReason: paused ? (o.reason ?? '') : '',
      ringinuse: q.ringinuse ? 1 : 0,
      wrapuptime: o.wrapuptime ?? 0,
    };
    q.members.set(iface.toLowerCase(), m);
    dumpQueueMembers(q);
    if (!o.quiet) broadcast('QueueMemberAdded', 'agent', memberBody(m));
    return 'ok';
  }

  function removeMember(queue: string, iface: string): 'ok' | 'missing' | 'noqueue' | 'static' {
    const q = queues.get(queue.toLowerCase());
    if (!q) return 'noqueue';
    const m = q.members.get(iface.toLowerCase());
    if (!m) return 'missing';
    if (m.membership !== 'dynamic') return 'static';
    q.members.delete(iface.toLowerCase());
    dumpQueueMembers(q);
    broadcast('QueueMemberRemoved', 'agent', memberBody(m));
    return 'ok';
  }

  function pauseMember(queue: string | undefined, iface: string, paused: boolean, reason = ''): boolean {
    let found = false;
    for (const q of queues.values()) {
      if (queue && q.name.toLowerCase() !== queue.toLowerCase()) continue;
      const m = q.members.get(iface.toLowerCase());
      if (!m) continue;
      found = true;
      m.paused = paused;
      m.pausedReason = paused ? reason : '';
      if (paused) m.lastPause = now();
      dumpQueueMembers(q);
      broadcast('QueueMemberPause', 'agent', memberBody(m));
    }
    return found;
  }

  // ---- queue callers and calls (app_queue's events, ami-queue-call-*.log) ----

  let callSeq = 0;

  function channelBody(c: DoubleCaller, q: Queue): string {
    return [
      `Channel: ${c.channel}`, 'ChannelState: 6', 'ChannelStateDesc: Up', `CallerIDNum: ${c.number}`, `CallerIDName: ${c.name}`,
      `ConnectedLineNum: ${c.number}`, `ConnectedLineName: ${c.name}`, 'Language: en', 'AccountCode: ', 'Context: queue-in',
      `Exten: ${q.name}`, 'Priority: 2', `Uniqueid: ${c.uniqueid}`, `Linkedid: ${c.uniqueid}`,
    ].map((l) => l + CRLF).join('');
  }

  function agentBody(c: DoubleCaller, q: Queue, m: DoubleMember): string {
    const dest = `${m.interface.replace(/\/n$/, '')}-0000${callSeq.toString(16)};1`;
    return channelBody(c, q) + [
      `DestChannel: ${dest}`, `DestCallerIDNum: ${c.number}`, `DestCallerIDName: ${c.name}`, `DestUniqueid: ${c.uniqueid}.1`,
      `Queue: ${q.name}`, `Interface: ${m.interface}`, `MemberName: ${m.name}`,
    ].map((l) => l + CRLF).join('');
  }

  function callQueue(queue: string): Queue {
    const q = queues.get(queue.toLowerCase());
    if (!q) throw new Error(`no queue ${queue}`);
    return q;
  }

  function callerLeaves(q: Queue, c: DoubleCaller): void {
    const position = q.callers.indexOf(c) + 1;
    q.callers.splice(position - 1, 1);
    broadcast('QueueCallerLeave', 'agent', `${channelBody(c, q)}Queue: ${q.name}${CRLF}Position: ${position}${CRLF}Count: ${q.callers.length}${CRLF}`);
  }

  function setMemberStatus(m: DoubleMember, status: number): void {
    m.status = status;
    broadcast('QueueMemberStatus', 'agent', memberBody(m));
  }

  function setDeviceState(device: string, state: string): void {
    const key = device.toLowerCase();
    deviceStates.set(key, state);
    broadcast('DeviceStateChange', 'call', `Device: ${device}${CRLF}State: ${state}${CRLF}`);
    for (const q of queues.values()) {
      for (const m of q.members.values()) {
        // Lengths first: a lamp's Setvar walks every member of a 2,000-member bench queue.
        if (m.stateInterface.length !== key.length || m.stateInterface.toLowerCase() !== key) continue;
        m.status = DEVICE_STATES[state] ?? 0;
        broadcast('QueueMemberStatus', 'agent', memberBody(m));
      }
    }
  }

  for (const sm of opts.staticMembers ?? []) {
    addMember(sm.queue, sm.interface, { name: sm.name, penalty: sm.penalty, membership: 'static' });
  }

  // ---- actions (main/manager.c, apps/app_queue.c) ---------------------------

  function queueStatus(s: Session, h: ReceivedHeaders): void {
    const queueFilter = h.get('Queue') ?? '';
    const memberFilter = h.get('Member') ?? '';
    const id = idLine(h);
    const out: string[] = [listStart(h, 'Queue status will follow')];
    let items = 0;
    for (const q of queueList()) {
      if (queueFilter && q.name.toLowerCase() !== queueFilter.toLowerCase()) continue;
      out.push(
        `Event: QueueParams${CRLF}Queue: ${q.name}${CRLF}Max: 0${CRLF}Strategy: ${q.strategy}${CRLF}Calls: ${q.callers.length}${CRLF}` +
          `Holdtime: 0${CRLF}TalkTime: 0${CRLF}Completed: 0${CRLF}Abandoned: 0${CRLF}ServiceLevel: 0${CRLF}` +
          `ServicelevelPerf: 0.0${CRLF}ServicelevelPerf2: 0.0${CRLF}Weight: 0${CRLF}${id}${CRLF}`,
      );
      items += 1;
      for (const m of q.members.values()) {
        if (memberFilter && m.interface !== memberFilter && m.name !== memberFilter) continue;
        out.push(
          `Event: QueueMember${CRLF}Queue: ${q.name}${CRLF}Name: ${m.name}${CRLF}Location: ${m.interface}${CRLF}` +
            `StateInterface: ${m.stateInterface}${CRLF}Membership: ${m.membership}${CRLF}Penalty: ${m.penalty}${CRLF}` +
            `CallsTaken: ${m.callsTaken}${CRLF}LastCall: ${m.lastCall}${CRLF}LastPause: ${m.lastPause}${CRLF}` +
            `LoginTime: ${m.loginTime}${CRLF}InCall: ${m.inCall}${CRLF}Status: ${m.status}${CRLF}` +
            `Paused: ${m.paused ? 1 : 0}${CRLF}PausedReason: ${m.pausedReason}${CRLF}Wrapuptime: ${m.wrapuptime}${CRLF}${id}${CRLF}`,
        );
        items += 1;
      }
      if (memberFilter) continue;
      q.callers.forEach((c, i) => {
        out.push(
          `Event: QueueEntry${CRLF}Queue: ${q.name}${CRLF}Position: ${i + 1}${CRLF}Channel: ${c.channel}${CRLF}Uniqueid: ${c.uniqueid}${CRLF}` +
            `CallerIDNum: ${c.number}${CRLF}CallerIDName: ${c.name}${CRLF}ConnectedLineNum: ${c.number}${CRLF}ConnectedLineName: ${c.name}${CRLF}` +
            `Wait: ${Math.floor((Date.now() - c.joinedAt) / 1000)}${CRLF}Priority: 0${CRLF}${id}${CRLF}`,
        );
        items += 1;
      });
    }
    out.push(listComplete(h, 'QueueStatusComplete', items));
    write(s, out.join(''));
  }

  function queueSummary(s: Session, h: ReceivedHeaders): void {
    const queueFilter = h.get('Queue') ?? '';
    const out: string[] = [listStart(h, 'Queue summary will follow')];
    let items = 0;
    for (const q of queueList()) {
      if (queueFilter && q.name.toLowerCase() !== queueFilter.toLowerCase()) continue;
      let loggedIn = 0;
      let available = 0;
      for (const m of q.members.values()) {
        if (m.status === 5 || m.status === 4) continue; // UNAVAILABLE, INVALID
        loggedIn += 1;
        if ((m.status === 1 || m.status === 0) && !m.paused) available += 1;
      }
      out.push(
        `Event: QueueSummary${CRLF}Queue: ${q.name}${CRLF}LoggedIn: ${loggedIn}${CRLF}Available: ${available}${CRLF}` +
          `Callers: 0${CRLF}HoldTime: 0${CRLF}TalkTime: 0${CRLF}LongestHoldTime: 0${CRLF}${idLine(h)}${CRLF}`,
      );
      items += 1;
    }
    out.push(listComplete(h, 'QueueSummaryComplete', items));
    write(s, out.join(''));
  }

  /**
   * A hint's extension state from its devices' states (ast_devstate_to_extenstate
   * of main/pbx.c); for several devices a simplified aggregate: busy wins, the
   * in-use, ringing and hold flags add up, unavailable only when all are.
   */
  function extensionState(hint: string): number {
    const states = hint.split('&').map((d) => EXTENSION_OF_DEVICE[deviceStates.get(d.trim().toLowerCase()) ?? 'UNKNOWN'] ?? 0);
    if (states.includes(2)) return 2;
    if (states.every((x) => x === 4)) return 4;
    return states.reduce((a, x) => (x === 4 ? a : a | x), 0);
  }

  // ---- CLI commands, as Action: Command returns their lines ----------------

  const DEVICE_STATE_TEXT = ['Unknown', 'Not in use', 'In use', 'Busy', 'Invalid', 'Unavailable', 'Ringing', 'Ring+Inuse', 'On Hold'];

  // print_queue() of app_queue.c, colours off (the recorded AMI output has none).
  function queueShow(name: string | undefined): string[] {
    const list = queueList().filter((q) => !name || q.name.toLowerCase() === name.toLowerCase());
    if (list.length === 0) return [name ? `No such queue: ${name}.` : 'No queues.'];
    const t = now();
    const out: string[] = [];
    for (const q of list) {
      out.push(
        `${q.name} has ${q.callers.length} calls (max unlimited) in '${q.strategy}' strategy (0s holdtime, 0s talktime), W:0, C:0, A:0, SL:0.0%, SL2:0.0% within 0s`,
      );
      if (q.members.size === 0) out.push('   No Members');
      else out.push('   Members: ');
      for (const m of q.members.values()) {
        let line = `      ${m.name}`;
        if (m.name.toLowerCase() !== m.interface.toLowerCase()) {
          line += ` (${m.interface}${m.stateInterface && m.stateInterface !== m.interface ? ` from ${m.stateInterface}` : ''})`;
        }
        if (m.penalty) line += ` with penalty ${m.penalty}`;
        line += ` (ringinuse ${m.ringinuse ? 'enabled' : 'disabled'})`;
        if (m.membership === 'dynamic') line += ' (dynamic)';
        if (m.inCall) line += ' (in call)';
        if (m.paused) line += ` (paused${m.pausedReason ? `:${m.pausedReason}` : ''} was ${t - m.lastPause} secs ago)`;
        line += ` (${DEVICE_STATE_TEXT[m.status] ?? 'Unknown'})`;
        line += m.callsTaken ? ` has taken ${m.callsTaken} calls (last was ${t - m.lastCall} secs ago)` : ' has taken no calls yet';
        out.push(`${line} (login was ${t - m.loginTime} secs ago)`);
      }
      if (q.callers.length === 0) out.push('   No Callers');
      else out.push('   Callers: ');
      q.callers.forEach((c, i) => {
        const wait = Math.floor((Date.now() - c.joinedAt) / 1000);
        out.push(`      ${i + 1}. ${c.channel} (wait: ${Math.floor(wait / 60)}:${String(wait % 60).padStart(2, '0')}, prio: 0)`);
      });
      out.push('');
    }
    // The recorded output ends with a second empty line.
    out.push('');
    return out;
  }

  // handle_cli_database_show() of main/db.c: keys under /family[/key], in key order.
  function databaseShow(family: string | undefined, key: string | undefined): string[] {
    const prefix = family === undefined ? '' : key === undefined ? `/${family}` : `/${family}/${key}`;
    const rows = [...astdb().entries()].map(([k, v]) => [`/${k}`, v] as const).filter(([k]) => `${k}/`.startsWith(`${prefix}/`));
    rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return [...rows.map(([k, v]) => `${k.padEnd(50)}: ${v.padEnd(25)}`), `${rows.length} results found.`];
  }

  function cliOutput(command: string): string[] {
    const argv = command.trim().split(/\s+/);
    const [verb, noun] = [argv[0]?.toLowerCase(), argv[1]?.toLowerCase()];
    if (verb === 'queue' && noun === 'show') return queueShow(argv[2]);
    if (verb === 'database' && noun === 'show') return databaseShow(argv[2], argv[3]);
    return [`${command}: done`];
  }

  // manager_show_dialplan() of main/pbx.c: with an Extension, the contexts
  // included are searched too (not listed), and an unknown context or an
  // extension nothing matches is an error.
  function showDialPlan(s: Session, h: ReceivedHeaders): void {
    const dp = opts.dialplan ?? {};
    const context = h.get('Context') ?? '';
    const exten = h.get('Extension') ?? '';
    const id = idLine(h);
    const items: string[] = [];
    let contextFound = false;
    let extenFound = false;
    let extensions = 0;
    let contexts = 0;
    const walk = (name: string, seen: string[]): void => {
      const c = dp[name];
      if (!c) return;
      contextFound = true;
      contexts += 1;
      for (const e of c.extensions ?? []) {
        if (exten && !extensionMatch(e, exten)) continue;
        extenFound = true;
        extensions += 1;
        items.push(`Event: ListDialplan${CRLF}${id}Context: ${name}${CRLF}Extension: ${e}${CRLF}Priority: 1${CRLF}Application: NoOp${CRLF}AppData: ${CRLF}Registrar: pbx_config${CRLF}${CRLF}`);
      }
      for (const inc of c.includes ?? []) {
        if (exten) {
          if (!seen.some((x) => x.toLowerCase() === inc.toLowerCase())) walk(inc, [...seen, inc]);
        } else {
          items.push(`Event: ListDialplan${CRLF}${id}Context: ${name}${CRLF}IncludeContext: ${inc}${CRLF}Registrar: pbx_config${CRLF}${CRLF}`);
        }
      }
    };
    if (context) walk(context, []);
    else for (const name of Object.keys(dp)) walk(name, []);
    if (context && !contextFound) return fail(s, h, `Did not find context ${context}`);
    if (exten && !extenFound) return fail(s, h, context ? `Did not find extension ${exten}@${context}` : `Did not find extension ${exten} in any context`);
    write(
      s,
      listStart(h, 'DialPlan list will follow') + items.join('') +
        `Event: ShowDialPlanComplete${CRLF}${id}EventList: Complete${CRLF}ListItems: ${items.length}${CRLF}` +
        `ListExtensions: ${extensions}${CRLF}ListPriorities: ${extensions}${CRLF}ListContexts: ${contexts}${CRLF}${CRLF}`,
    );
  }

  function login(s: Session, h: ReceivedHeaders): void {
    if (h.get('Username') === opts.username && h.get('Secret') === opts.secret) {
      logins += 1;
      s.authenticated = true;
      s.mask = limitToRead(parseMask(h.get('Events')));
      let text = `Response: Success${CRLF}${idLine(h)}Message: Authentication accepted${CRLF}${CRLF}`;
      // action_login sends FullyBooted at once to a session with system events.
      if (!booting && opts.events && (s.mask === 'all' || (s.mask !== 'none' && s.mask.has('system')))) {
        const up = uptime();
        text += `Event: FullyBooted${CRLF}Privilege: system,all${CRLF}Uptime: ${up}${CRLF}LastReload: ${up}${CRLF}Status: Fully Booted${CRLF}${CRLF}`;
      }
      write(s, text);
      return;
    }
    // authenticate() failed: Asterisk sleeps, answers, and ends the session;
    // whatever else the client sent meanwhile is never answered.
    loginFailures += 1;
    s.dead = true;
    setTimeout(() => {
      fail(s, h, 'Authentication failed');
      endSession(s);
    }, opts.loginFailureDelayMs);
  }

  function handle(s: Session, h: ReceivedHeaders): void {
    const action = h.get('Action') ?? '';
    if (action === '') return fail(s, h, 'Missing action in request');
    const a = action.toLowerCase();
    if (!s.authenticated && a !== 'login' && a !== 'logoff' && a !== 'challenge') return fail(s, h, 'Permission denied');
    if (denied.has(a) || !mayRun(a)) return fail(s, h, 'Permission denied');
    switch (a) {
      case 'login':
        return login(s, h);
      case 'logoff':
        write(s, `Response: Goodbye${CRLF}${idLine(h)}Message: Thanks for all the fish.${CRLF}${CRLF}`);
        s.dead = true;
        return endSession(s);
      case 'ping':
        return reply(s, h, 'Success', ['Ping: Pong', `Timestamp: ${(Date.now() / 1000).toFixed(6)}`]);
      case 'events': {
        const requested = parseMask(h.get('EventMask') ?? 'off');
        s.mask = limitToRead(requested);
        // The reply tells the mask asked for, not what readperm leaves of it (action_events).
        return reply(s, h, 'Success', [`Events: ${requested === 'none' ? 'Off' : 'On'}`]);
      }
      case 'filter': {
        const operation = h.get('Operation') ?? '';
        if (operation.toLowerCase() !== 'add') return fail(s, h, 'Unknown operation');
        let filter = h.get('Filter') ?? '';
        const exclude = filter.startsWith('!');
        if (exclude) filter = filter.slice(1);
        try {
          if (filter === '') throw new Error('empty');
          s.filters.push({ re: new RegExp(filter), exclude });
        } catch {
          return fail(s, h, 'Filter did not compile');
        }
        return ack(s, h, 'Success');
      }
      case 'queueadd': {
        const queue = h.get('Queue') ?? '';
        const iface = h.get('Interface') ?? '';
        if (!queue) return fail(s, h, "'Queue' not specified.");
        if (!iface) return fail(s, h, "'Interface' not specified.");
        const penalty = Number.parseInt(h.get('Penalty') ?? '', 10);
        const wrapuptime = Number.parseInt(h.get('Wrapuptime') ?? '', 10);
        const paused = isTrue(h.get('Paused') ?? '');
        // The reply goes out before the event, as recorded (ami-more.log).
        const q = queues.get(queue.toLowerCase());
        if (!q) return fail(s, h, 'Unable to add interface to queue: No such queue');
        if (q.members.has(iface.toLowerCase())) return fail(s, h, 'Unable to add interface: Already there');
        ack(s, h, 'Added interface to queue');
        addMember(queue, iface, {
          name: h.get('MemberName'),
          stateInterface: h.get('StateInterface'),
          penalty: Number.isFinite(penalty) ? penalty : 0,
          wrapuptime: Number.isFinite(wrapuptime) ? wrapuptime : 0,
          paused,
          reason: h.get('Reason'),
        });
        return;
      }
      case 'queueremove': {
        const queue = h.get('Queue') ?? '';
        const iface = h.get('Interface') ?? '';
        if (!queue || !iface) return fail(s, h, "Need 'Queue' and 'Interface' parameters.");
        const q = queues.get(queue.toLowerCase());
        if (!q) return fail(s, h, 'Unable to remove interface from queue: No such queue');
        const m = q.members.get(iface.toLowerCase());
        if (!m) return fail(s, h, 'Unable to remove interface: Not there');
        if (m.membership !== 'dynamic') return fail(s, h, 'Member not dynamic');
        ack(s, h, 'Removed interface from queue');
        removeMember(queue, iface);
        return;
      }
      case 'queuepause': {
        const iface = h.get('Interface') ?? '';
        const pausedText = h.get('Paused') ?? '';
        if (!iface || !pausedText) return fail(s, h, "Need 'Interface' and 'Paused' parameters.");
        const paused = isTrue(pausedText);
        const queue = h.get('Queue') || undefined;
        const targets = [...queues.values()].filter(
          (q) => (!queue || q.name.toLowerCase() === queue.toLowerCase()) && q.members.has(iface.toLowerCase()),
        );
        if (targets.length === 0) return fail(s, h, 'Interface not found');
        ack(s, h, paused ? 'Interface paused successfully' : 'Interface unpaused successfully');
        pauseMember(queue, iface, paused, h.get('Reason') ?? '');
        return;
      }
      case 'queuememberringinuse': {
        // app_queue.c manager_queue_member_ringinuse: no Queue means every queue the interface is in.
        const iface = h.get('Interface') ?? '';
        const text = h.get('RingInUse') ?? '';
        if (!iface || !text) return fail(s, h, "Need 'Interface' and 'RingInUse' parameters.");
        const on = isTrue(text);
        if (!on && !/^(no|false|n|f|0|off)$/i.test(text)) return fail(s, h, "'RingInUse' parameter must be a truth value (yes/no, on/off, 0/1)");
        const queue = h.get('Queue') || undefined;
        const targets = [...queues.values()].filter((q) => (!queue || q.name.toLowerCase() === queue.toLowerCase()) && q.members.has(iface.toLowerCase()));
        if (targets.length === 0) return fail(s, h, 'Invalid interface, queuename, or ringinuse value\n');
        for (const q of targets) {
          const m = q.members.get(iface.toLowerCase())!;
          m.ringinuse = on ? 1 : 0;
          broadcast('QueueMemberRingInUse', 'agent', memberBody(m));
        }
        return ack(s, h, 'Interface ringinuse set successfully');
      }
      case 'queuestatus':
        return queueStatus(s, h);
      case 'queuesummary':
        return queueSummary(s, h);
      case 'queuelog': {
        if (!h.get('Queue') || !h.get('Event')) return fail(s, h, "Need 'Queue' and 'Event' parameters.");
        queueLog.push(h.record());
        return ack(s, h, 'Event added successfully');
      }
      case 'userevent': {
        const name = h.get('UserEvent') ?? '';
        if (!name) return fail(s, h, 'UserEvent header missing');
        ack(s, h, 'Event Sent');
        const body = h.lines
          .filter((l) => !/^(Action|ActionID|UserEvent):/i.test(l))
          .map((l) => l + CRLF)
          .join('');
        broadcast('UserEvent', 'user', `UserEvent: ${name}${CRLF}${body}`);
        return;
      }
      case 'setvar': {
        const variable = h.get('Variable') ?? '';
        if (!variable) return fail(s, h, 'No variable specified');
        if (h.get('Channel')) return fail(s, h, 'No such channel');
        const value = h.get('Value') ?? '';
        const device = /^DEVICE_STATE\((.+)\)$/i.exec(variable);
        if (device?.[1]) setDeviceState(device[1], value.toUpperCase());
        else globals.set(variable, value);
        return ack(s, h, 'Variable Set');
      }
      case 'getvar': {
        const variable = h.get('Variable') ?? '';
        if (!variable) return fail(s, h, 'No variable specified');
        if (h.get('Channel')) return fail(s, h, 'No such channel');
        const device = /^DEVICE_STATE\((.+)\)$/i.exec(variable);
        const value = device?.[1] ? (deviceStates.get(device[1].toLowerCase()) ?? 'UNKNOWN') : (globals.get(variable) ?? '');
        return reply(s, h, 'Success', [`Variable: ${variable}`, `Value: ${value}`]);
      }
      case 'dbget': {
        const family = h.get('Family') ?? '';
        const key = h.get('Key') ?? '';
        if (!family) return fail(s, h, 'No family specified.');
        if (!key) return fail(s, h, 'No key specified.');
        const val = astdb().get(`${family}/${key}`);
        if (val === undefined) return fail(s, h, 'Database entry not found');
        write(
          s,
          listStart(h, 'Result will follow') +
            `Event: DBGetResponse${CRLF}Family: ${family}${CRLF}Key: ${key}${CRLF}Val: ${val}${CRLF}${idLine(h)}${CRLF}` +
            listComplete(h, 'DBGetComplete', 1),
        );
        return;
      }
      case 'dbput': {
        const family = h.get('Family') ?? '';
        const key = h.get('Key') ?? '';
        if (!family) return fail(s, h, 'No family specified');
        if (!key) return fail(s, h, 'No key specified');
        astdb().set(`${family}/${key}`, h.get('Val') ?? '');
        return ack(s, h, 'Updated database successfully');
      }
      case 'dbdel': {
        const family = h.get('Family') ?? '';
        const key = h.get('Key') ?? '';
        if (!family) return fail(s, h, 'No family specified.');
        if (!key) return fail(s, h, 'No key specified.');
        if (!astdb().delete(`${family}/${key}`)) return fail(s, h, 'Database entry could not be deleted');
        return ack(s, h, 'Key deleted successfully');
      }
      case 'dbgettree': {
        // manager_db_tree_get() of main/db.c: every key under /Family[/Key], full key and value.
        const family = h.get('Family') ?? '';
        const key = h.get('Key') ?? '';
        const prefix = family === '' ? '' : key === '' ? `/${family}` : `/${family}/${key}`;
        const rows = [...astdb().entries()].map(([k, v]) => [`/${k}`, v] as const).filter(([k]) => prefix === '' || `${k}/`.startsWith(`${prefix}/`));
        rows.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
        write(
          s,
          listStart(h, 'Result will follow') +
            rows.map(([k, v]) => `Event: DBGetTreeResponse${CRLF}Key: ${k}${CRLF}Val: ${v}${CRLF}${idLine(h)}${CRLF}`).join('') +
            listComplete(h, 'DBGetTreeComplete', rows.length),
        );
        return;
      }
      case 'extensionstatelist': {
        // action_extensionstatelist() of main/pbx.c (pattern hints left out), as recorded from Asterisk 22.
        const hints = (opts.hints ?? []).filter((x) => !x.exten.startsWith('_'));
        write(
          s,
          listStart(h, 'Extension Statuses will follow') +
            hints.map((x) => {
              const status = extensionState(x.hint);
              return `Event: ExtensionStatus${CRLF}${idLine(h)}Exten: ${x.exten}${CRLF}Context: ${x.context}${CRLF}Hint: ${x.hint}${CRLF}Status: ${status}${CRLF}StatusText: ${EXTENSION_STATE_TEXT[status] ?? 'Unknown'}${CRLF}${CRLF}`;
            }).join('') +
            listComplete(h, 'ExtensionStateListComplete', hints.length),
        );
        return;
      }
      case 'showdialplan':
        return showDialPlan(s, h);
      case 'listcategories':
        // action_listcategories(): the file is the first thing it needs.
        if (!h.get('Filename')) return fail(s, h, 'Filename not specified');
        return fail(s, h, 'Config file not found');
      case 'originate':
        // action_originate(): no Channel, nothing dialled.
        if (!h.get('Channel')) return fail(s, h, 'Channel not specified');
        return fail(s, h, 'Originate failed');
      case 'coresettings':
        return reply(s, h, 'Success', ['AMIversion: 11.0.0', 'AsteriskVersion: 22.10.1', 'SystemName: ', 'CoreMaxCalls: 0',
          'CoreMaxLoadAvg: 0.000000', 'CoreRunUser: ', 'CoreRunGroup: ', 'CoreMaxFilehandles: 0', 'CoreRealTimeEnabled: No',
          'CoreCDRenabled: No', 'CoreHTTPenabled: No', 'SoundsSearchCustomDir: No']);
      case 'command': {
        const command = h.get('Command') ?? '';
        if (!command) return fail(s, h, 'No command provided');
        const lines = opts.commandOutput ? opts.commandOutput(command) : cliOutput(command);
        return reply(s, h, 'Success', ['Message: Command output follows', ...lines.map((l) => `Output: ${l}`)]);
      }
      default:
        return fail(s, h, `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`);
    }
  }

  // ---- reading, as get_input() and do_message() do --------------------------

  function onData(s: Session, chunk: Buffer): void {
    bytesReceived += chunk.length;
    if (s.dead || s.silent || stalled) return;
    s.buf = s.off < s.buf.length ? Buffer.concat([s.buf.subarray(s.off), chunk]) : chunk;
    s.off = 0;
    s.socket.cork();
    try {
      while (!s.dead && s.off < s.buf.length) {
        const avail = s.buf.length - s.off;
        const nl = s.buf.indexOf(0x0a, s.off);
        if (nl !== -1 && nl < s.off + LINE_LIMIT) {
          const end = nl > s.off && s.buf[nl - 1] === 0x0d ? nl - 1 : nl;
          const line = s.buf.toString('utf8', s.off, end);
          s.off = nl + 1;
          onLine(s, line);
        } else if (avail >= LINE_LIMIT) {
          // "Dumping long line with no return": the next bytes start a new line.
          dumpedLines += 1;
          s.off += LINE_LIMIT;
        } else {
          break;
        }
      }
    } finally {
      s.socket.uncork();
    }
  }

  function onLine(s: Session, line: string): void {
    // A NUL ends the C string Asterisk keeps.
    const nul = line.indexOf('\0');
    const text = nul === -1 ? line : line.slice(0, nul);
    if (line.length === 0) {
      if (s.lines.length === 0) return;
      const h = new ReceivedHeaders(s.lines);
      s.lines = [];
      actions.push(h.record());
      actionHook?.(h.record());
      handle(s, h);
      return;
    }
    if (s.lines.length < MAX_HEADERS) s.lines.push(text);
  }

  // ---- connections ----------------------------------------------------------

  function onConnection(socket: net.Socket): void {
    connections += 1;
    socket.setNoDelay(true);
    const s: Session = {
      socket,
      buf: Buffer.alloc(0),
      off: 0,
      lines: [],
      authenticated: false,
      dead: false,
      silent: stalled,
      mask: 'none',
      filters: [],
      chain: Promise.resolve(),
    };
    sessions.add(s);
    socket.on('data', (chunk: Buffer) => onData(s, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sessions.delete(s));
    write(s, `Asterisk Call Manager/11.0.0${CRLF}`);
  }

  async function listen(): Promise<void> {
    const srv = net.createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        srv.off('error', reject);
        resolve();
      });
    });
    port = (srv.address() as net.AddressInfo).port;
    server = srv;
  }

  function unlisten(): Promise<void> {
    const srv = server;
    server = undefined;
    if (!srv) return Promise.resolve();
    return new Promise((resolve) => {
      srv.close(() => resolve());
      // close() waits for open connections; refusing new ones is what matters.
      setImmediate(resolve);
    });
  }

  await listen();

  const double: AmiDouble = {
    get port() {
      return port;
    },
    actions,
    get bytesReceived() {
      return bytesReceived;
    },
    get connections() {
      return connections;
    },
    get openConnections() {
      return sessions.size;
    },
    get logins() {
      return logins;
    },
    get loginFailures() {
      return loginFailures;
    },
    get dumpedLines() {
      return dumpedLines;
    },
    queueLog,
    uptime,
    addMember(queue, iface, o) {
      const r = addMember(queue, iface, o);
      if (r !== 'ok') throw new Error(`addMember ${queue} ${iface}: ${r}`);
    },
    removeMember(queue, iface, o) {
      const q = queues.get(queue.toLowerCase());
      const m = q?.members.get(iface.toLowerCase());
      if (!q || !m) throw new Error(`removeMember ${queue} ${iface}: not there`);
      q.members.delete(iface.toLowerCase());
      dumpQueueMembers(q);
      if (!o?.quiet) broadcast('QueueMemberRemoved', 'agent', memberBody(m));
    },
    pauseMember(queue, iface, paused, reason) {
      if (!pauseMember(queue, iface, paused, reason)) throw new Error(`pauseMember ${queue} ${iface}: not there`);
    },
    members(queue) {
      const out: DoubleMember[] = [];
      for (const q of queues.values()) {
        if (queue && q.name.toLowerCase() !== queue.toLowerCase()) continue;
        for (const m of q.members.values()) out.push({ ...m });
      }
      return out;
    },
    putDb(key, value) {
      astdb().set(key.replace(/^\//, ''), value);
    },
    db() {
      return new Map(astdb());
    },
    deviceState(device) {
      return deviceStates.get(device.toLowerCase()) ?? 'UNKNOWN';
    },
    setDeviceState,
    onAction(fn) {
      actionHook = fn;
    },
    addCaller(queue, caller) {
      const q = callQueue(queue);
      callSeq += 1;
      const c: DoubleCaller = {
        uniqueid: `${Math.floor(Date.now() / 1000)}.${callSeq}`, channel: `Local/${q.name}@queue-in-0000${callSeq.toString(16)};2`,
        number: caller.number, name: caller.name ?? '', joinedAt: Date.now(),
      };
      q.callers.push(c);
      broadcast('QueueCallerJoin', 'agent', `${channelBody(c, q)}Queue: ${q.name}${CRLF}Position: ${q.callers.length}${CRLF}Count: ${q.callers.length}${CRLF}`);
      return c.uniqueid;
    },
    abandonCaller(queue, uniqueid) {
      const q = callQueue(queue);
      const c = q.callers.find((x) => x.uniqueid === uniqueid);
      if (!c) throw new Error(`abandonCaller ${queue} ${uniqueid}: not waiting`);
      const position = q.callers.indexOf(c) + 1;
      const holdTime = Math.floor((Date.now() - c.joinedAt) / 1000);
      broadcast('QueueCallerAbandon', 'agent', `${channelBody(c, q)}Queue: ${q.name}${CRLF}Position: ${position}${CRLF}OriginalPosition: ${position}${CRLF}HoldTime: ${holdTime}${CRLF}`);
      callerLeaves(q, c);
    },
    answerCall(queue, uniqueid, iface) {
      const q = callQueue(queue);
      const c = q.callers.find((x) => x.uniqueid === uniqueid);
      const m = q.members.get(iface.toLowerCase());
      if (!c || !m) throw new Error(`answerCall ${queue} ${uniqueid} ${iface}: no such caller or member`);
      broadcast('AgentCalled', 'agent', agentBody(c, q, m));
      setMemberStatus(m, 2);
      callerLeaves(q, c);
      m.inCall = 1;
      q.calls.set(iface.toLowerCase(), c);
      const holdTime = Math.floor((Date.now() - c.joinedAt) / 1000);
      broadcast('AgentConnect', 'agent', `${agentBody(c, q, m)}HoldTime: ${holdTime}${CRLF}RingTime: 0${CRLF}`);
    },
    completeCall(queue, iface, o = {}) {
      const q = callQueue(queue);
      const c = q.calls.get(iface.toLowerCase());
      const m = q.members.get(iface.toLowerCase());
      if (!c || !m) throw new Error(`completeCall ${queue} ${iface}: no call`);
      q.calls.delete(iface.toLowerCase());
      const holdTime = Math.floor((Date.now() - c.joinedAt) / 1000);
      broadcast('AgentComplete', 'agent', `${agentBody(c, q, m)}HoldTime: ${holdTime}${CRLF}TalkTime: ${o.talkTime ?? 5}${CRLF}Reason: ${o.reason ?? 'agent'}${CRLF}`);
      m.inCall = 0;
      m.callsTaken += 1;
      m.lastCall = now();
      setMemberStatus(m, 1);
    },
    ringNoAnswer(queue, uniqueid, iface, o = {}) {
      const q = callQueue(queue);
      const c = q.callers.find((x) => x.uniqueid === uniqueid);
      const m = q.members.get(iface.toLowerCase());
      if (!c || !m) throw new Error(`ringNoAnswer ${queue} ${uniqueid} ${iface}: no such caller or member`);
      if (m.paused) throw new Error(`ringNoAnswer ${queue} ${iface}: a paused member is not rung`);
      callSeq += 1;
      broadcast('AgentCalled', 'agent', agentBody(c, q, m));
      broadcast('AgentRingNoAnswer', 'agent', `${agentBody(c, q, m)}RingTime: ${o.ringTimeMs ?? 15000}${CRLF}`);
    },
    emitEvent(name, headers, category = 'agent') {
      const body = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}${CRLF}`)
        .join('');
      broadcast(name, category, body);
    },
    sendRaw(text) {
      for (const s of sessions) if (!s.socket.destroyed) s.socket.write(text);
    },
    dropConnections() {
      for (const s of sessions) s.socket.destroy();
      sessions.clear();
    },
    stall(on) {
      stalled = on;
    },
    async restart(o = {}) {
      broadcast('Shutdown', 'system', `Shutdown: Cleanly${CRLF}Restart: False${CRLF}`);
      await unlisten();
      for (const s of sessions) {
        s.dead = true;
        endSession(s);
      }
      await delay(opts.restartDownMs);
      for (const s of sessions) s.socket.destroy();
      sessions.clear();
      for (const q of queues.values()) {
        for (const [key, m] of q.members) if (m.membership === 'dynamic' && !o.keepMembers) q.members.delete(key);
        // Members not kept are gone from astdb too, so what is stored never disagrees with QueueStatus.
        dumpQueueMembers(q);
        // A restart hangs up every call.
        q.callers = [];
        q.calls.clear();
        for (const m of q.members.values()) m.inCall = 0;
      }
      // Globals live in memory only; Custom: device states are kept in astdb
      // (CustomDevstate) and put back when func_devstate loads.
      globals.clear();
      // ...except those extensions.conf sets, read again at start.
      for (const [k, v] of Object.entries(opts.globals ?? {})) globals.set(k, v);
      bootAt = Date.now();
      if (o.bootDelayMs) {
        booting = true;
        setTimeout(() => {
          booting = false;
          const up = uptime();
          broadcast('FullyBooted', 'system', `Uptime: ${up}${CRLF}LastReload: ${up}${CRLF}Status: Fully Booted${CRLF}`);
        }, o.bootDelayMs);
      }
      if (!stopped) await listen();
    },
    async refuse(on) {
      if (on) await unlisten();
      else if (!server && !stopped) await listen();
    },
    async stop() {
      stopped = true;
      for (const s of sessions) s.socket.destroy();
      sessions.clear();
      await unlisten();
    },
  };
  return double;
}

// The classes each action is registered with (0: none needed): main/manager.c
// (ast_manager_register_xml_core in __init_manager), apps/app_queue.c
// (load_module), main/db.c, main/pbx.c. Any one of them in the user's write
// classes lets the action run.
/** ast_devstate_to_extenstate() of main/pbx.c. */
const EXTENSION_OF_DEVICE: Record<string, number> = {
  UNKNOWN: 0, NOT_INUSE: 0, INUSE: 1, BUSY: 2, INVALID: 4, UNAVAILABLE: 4, RINGING: 8, RINGINUSE: 9, ONHOLD: 16,
};
/** ast_extension_state2str() of main/pbx.c. */
const EXTENSION_STATE_TEXT: Record<number, string> = {
  0: 'Idle', 1: 'InUse', 2: 'Busy', 4: 'Unavailable', 8: 'Ringing', 9: 'InUse&Ringing', 16: 'Hold', 17: 'InUse&Hold',
};

const ACTION_AUTHORITY: Record<string, string[]> = {
  login: [], logoff: [], challenge: [], ping: [], events: [], listcommands: [], waitevent: [],
  queuestatus: [], queuesummary: [], queuerule: [], queuereload: [], queuereset: [],
  queueadd: ['agent'], queueremove: ['agent'], queuepause: ['agent'], queuememberringinuse: ['agent'], queuelog: ['agent'], queuepenalty: ['agent'],
  setvar: ['call'], getvar: ['call', 'reporting'], redirect: ['call'], sendtext: ['call'],
  filter: ['system'], command: ['command'], originate: ['originate'], userevent: ['user'],
  listcategories: ['config'], getconfig: ['system', 'config'], updateconfig: ['config'],
  coresettings: ['system', 'reporting'], corestatus: ['system', 'reporting'],
  showdialplan: ['config', 'reporting'], extensionstatelist: ['call', 'reporting'],
  dbget: ['system', 'reporting'], dbgettree: ['system', 'reporting'], dbput: ['system'], dbdel: ['system'], dbdeltree: ['system'],
};

// ast_extension_match() of main/pbx.c, for the patterns dialplans use: a name
// without `_` matches itself; after `_`, X Z N and [sets] match one digit or
// character, `.` one or more of anything, `!` zero or more.
export function extensionMatch(pattern: string, exten: string): boolean {
  if (!pattern.startsWith('_')) return pattern === exten;
  const re = pattern.slice(1).replace(/\[([^\]]*)\]|[XZN.!]|[^XZN.!\[]/gi, (tok) => {
    const t = tok.toUpperCase();
    if (t === 'X') return '[0-9]';
    if (t === 'Z') return '[1-9]';
    if (t === 'N') return '[2-9]';
    if (t === '.') return '.+';
    if (t === '!') return '.*';
    if (tok.startsWith('[')) return `[${tok.slice(1, -1).replace(/[\\^\]]/g, '\\$&')}]`;
    return tok.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${re}$`).test(exten);
}

// The headers of one received message, read as astman_get_header() does: the
// first line whose name matches (case-insensitively), value without leading blanks.
class ReceivedHeaders {
  readonly lines: string[];
  constructor(lines: string[]) {
    this.lines = lines;
  }

  get(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const line of this.lines) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      if (line.slice(0, colon).toLowerCase() === lower) return line.slice(colon + 1).replace(/^[ \t]+/, '');
    }
    return undefined;
  }

  record(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.lines) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const key = line.slice(0, colon);
      if (!(key in out)) out[key] = line.slice(colon + 1).replace(/^[ \t]+/, '');
    }
    return out;
  }
}
