// The typed actions: what each one writes (header builders) and how its reply
// reads (list parsers). Pure functions, so the exact wire form is testable
// without a socket. Header order follows what Asterisk's own recorded client
// sent (shared/asterisk/ami-actions.log).
import { BadParamsError } from '../errors.ts';
import type { HeaderInput } from './headers.ts';
import type { AmiEvent, AmiResponse } from './parser.ts';
import { flag, float, int, str } from './fields.ts';

export interface QueueAddArgs {
  queue: string;
  interface: string;
  penalty?: number;
  paused?: boolean;
  memberName?: string;
  stateInterface?: string;
  reason?: string;
  /** Seconds after a call before the member is offered another; the queue's when absent. */
  wrapuptime?: number;
}

export interface QueueRemoveArgs {
  queue: string;
  interface: string;
}

export interface QueuePauseArgs {
  /** Without a queue, Asterisk (un)pauses the interface in every queue it is in. */
  queue?: string;
  interface: string;
  paused: boolean;
  reason?: string;
}

export interface QueueStatusArgs {
  queue?: string;
  /** An interface or a member name (app_queue compares both, exactly). */
  member?: string;
}

export interface QueueLogArgs {
  queue: string;
  event: string;
  interface?: string;
  uniqueid?: string;
  message?: string;
}

/** QueueParams of a QueueStatus reply. */
export interface QueueParams {
  queue: string;
  max: number;
  strategy: string;
  calls: number;
  holdtime: number;
  talkTime: number;
  completed: number;
  abandoned: number;
  serviceLevel: number;
  serviceLevelPerf: number;
  serviceLevelPerf2: number;
  weight: number;
}

/** QueueMember of a QueueStatus reply. */
export interface QueueMember {
  queue: string;
  name: string;
  interface: string;
  stateInterface: string;
  /** dynamic | static | realtime */
  membership: string;
  penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  inCall: boolean;
  status: number;
  paused: boolean;
  pausedReason: string;
  wrapuptime: number;
}

/** QueueEntry of a QueueStatus reply: a caller waiting. */
export interface QueueEntry {
  queue: string;
  position: number;
  channel: string;
  uniqueid: string;
  callerIdNum: string;
  callerIdName: string;
  connectedLineNum: string;
  connectedLineName: string;
  /** Seconds waited so far. */
  wait: number;
  priority: number;
}

export interface QueueStatusResult {
  params: QueueParams[];
  members: QueueMember[];
  entries: QueueEntry[];
}

/** One QueueSummary event. */
export interface QueueSummary {
  queue: string;
  loggedIn: number;
  available: number;
  callers: number;
  holdTime: number;
  talkTime: number;
  longestHoldTime: number;
}

// Asterisk writes each dynamic member to astdb (Queue/PersistentMembers/<queue>)
// as interface;penalty;paused;membername;stateinterface;reason;wrapuptime
// joined with '|', and splits it back that way at restart: a separator in a
// field corrupts the member (README of shared/asterisk). A comma in the member
// name is corrupted too.
function checkPersisted(field: string, value: string | undefined, separators: RegExp): void {
  if (value !== undefined && separators.test(value)) {
    throw new BadParamsError(`${field} ${JSON.stringify(value)} holds a character Asterisk cannot restore after a restart`);
  }
}

export function queueAddHeaders(a: QueueAddArgs): HeaderInput {
  checkPersisted('interface', a.interface, /[;|]/);
  checkPersisted('memberName', a.memberName, /[;|,]/);
  checkPersisted('stateInterface', a.stateInterface, /[;|]/);
  checkPersisted('reason', a.reason, /[;|]/);
  return {
    Action: 'QueueAdd',
    Queue: a.queue,
    Interface: a.interface,
    Penalty: a.penalty,
    MemberName: a.memberName,
    Paused: a.paused,
    StateInterface: a.stateInterface,
    Reason: a.reason,
    Wrapuptime: a.wrapuptime,
  };
}

export interface QueueMemberRingInUseArgs {
  queue: string;
  interface: string;
  ringInUse: boolean;
}

/** Per-member ring-in-use (app_queue, write class agent): `no` skips a member already on a queue call. */
export function queueMemberRingInUseHeaders(a: QueueMemberRingInUseArgs): HeaderInput {
  return { Action: 'QueueMemberRingInUse', Queue: a.queue, Interface: a.interface, RingInUse: a.ringInUse ? 'yes' : 'no' };
}

export function queueRemoveHeaders(a: QueueRemoveArgs): HeaderInput {
  return { Action: 'QueueRemove', Queue: a.queue, Interface: a.interface };
}

export function queuePauseHeaders(a: QueuePauseArgs): HeaderInput {
  return { Action: 'QueuePause', Queue: a.queue, Interface: a.interface, Paused: a.paused, Reason: a.reason };
}

export function queueStatusHeaders(a: QueueStatusArgs = {}): HeaderInput {
  return { Action: 'QueueStatus', Queue: a.queue, Member: a.member };
}

export function queueSummaryHeaders(queue?: string): HeaderInput {
  return { Action: 'QueueSummary', Queue: queue };
}

export function queueLogHeaders(a: QueueLogArgs): HeaderInput {
  // app_queue reads "UniqueId".
  return { Action: 'QueueLog', Queue: a.queue, Event: a.event, Interface: a.interface, UniqueId: a.uniqueid, Message: a.message };
}

const RESERVED_USEREVENT = new Set(['action', 'actionid', 'userevent']);

export function userEventHeaders(name: string, headers: Readonly<Record<string, string>> = {}): HeaderInput {
  for (const key of Object.keys(headers)) {
    if (RESERVED_USEREVENT.has(key.toLowerCase())) throw new BadParamsError(`UserEvent header ${key} is set by the client`);
  }
  return { Action: 'UserEvent', UserEvent: name, ...headers };
}

export function setvarHeaders(variable: string, value: string, channel?: string): HeaderInput {
  return { Action: 'Setvar', Channel: channel, Variable: variable, Value: value };
}

export function getvarHeaders(variable: string, channel?: string): HeaderInput {
  return { Action: 'Getvar', Channel: channel, Variable: variable };
}

export function dbGetHeaders(family: string, key: string): HeaderInput {
  return { Action: 'DBGet', Family: family, Key: key };
}

export function dbPutHeaders(family: string, key: string, value: string): HeaderInput {
  return { Action: 'DBPut', Family: family, Key: key, Val: value };
}

export function dbDelHeaders(family: string, key: string): HeaderInput {
  return { Action: 'DBDel', Family: family, Key: key };
}

export function commandHeaders(cmd: string): HeaderInput {
  return { Action: 'Command', Command: cmd };
}

export function eventMaskHeaders(mask: string): HeaderInput {
  return { Action: 'Events', EventMask: mask };
}

export function filterHeaders(filter: string, operation: 'Add' = 'Add'): HeaderInput {
  return { Action: 'Filter', Operation: operation, Filter: filter };
}

function queueParams(e: AmiEvent): QueueParams {
  const h = e.headers;
  return {
    queue: str(h, 'queue'),
    max: int(h, 'max'),
    strategy: str(h, 'strategy'),
    calls: int(h, 'calls'),
    holdtime: int(h, 'holdtime'),
    talkTime: int(h, 'talktime'),
    completed: int(h, 'completed'),
    abandoned: int(h, 'abandoned'),
    serviceLevel: int(h, 'servicelevel'),
    serviceLevelPerf: float(h, 'servicelevelperf'),
    serviceLevelPerf2: float(h, 'servicelevelperf2'),
    weight: int(h, 'weight'),
  };
}

function queueMember(e: AmiEvent): QueueMember {
  return parseMember(e.headers, 'name', 'location');
}

/**
 * One member, as QueueStatus items and QueueMember* events both carry it; they
 * name two headers differently (Name/Location, MemberName/Interface).
 */
export function parseMember(h: Readonly<Record<string, string>>, nameHeader: string, interfaceHeader: string): QueueMember {
  return {
    queue: str(h, 'queue'),
    name: str(h, nameHeader),
    interface: str(h, interfaceHeader),
    stateInterface: str(h, 'stateinterface'),
    membership: str(h, 'membership'),
    penalty: int(h, 'penalty'),
    callsTaken: int(h, 'callstaken'),
    lastCall: int(h, 'lastcall'),
    lastPause: int(h, 'lastpause'),
    loginTime: int(h, 'logintime'),
    inCall: flag(h, 'incall'),
    status: int(h, 'status'),
    paused: flag(h, 'paused'),
    pausedReason: str(h, 'pausedreason'),
    wrapuptime: int(h, 'wrapuptime'),
  };
}

function queueEntry(e: AmiEvent): QueueEntry {
  const h = e.headers;
  return {
    queue: str(h, 'queue'),
    position: int(h, 'position'),
    channel: str(h, 'channel'),
    uniqueid: str(h, 'uniqueid'),
    callerIdNum: str(h, 'calleridnum'),
    callerIdName: str(h, 'calleridname'),
    connectedLineNum: str(h, 'connectedlinenum'),
    connectedLineName: str(h, 'connectedlinename'),
    wait: int(h, 'wait'),
    priority: int(h, 'priority'),
  };
}

export function parseQueueStatus(res: AmiResponse): QueueStatusResult {
  const result: QueueStatusResult = { params: [], members: [], entries: [] };
  for (const e of res.events) {
    if (e.name === 'QueueParams') result.params.push(queueParams(e));
    else if (e.name === 'QueueMember') result.members.push(queueMember(e));
    else if (e.name === 'QueueEntry') result.entries.push(queueEntry(e));
  }
  return result;
}

export function parseQueueSummary(res: AmiResponse): QueueSummary[] {
  return res.events
    .filter((e) => e.name === 'QueueSummary')
    .map((e) => ({
      queue: str(e.headers, 'queue'),
      loggedIn: int(e.headers, 'loggedin'),
      available: int(e.headers, 'available'),
      callers: int(e.headers, 'callers'),
      holdTime: int(e.headers, 'holdtime'),
      talkTime: int(e.headers, 'talktime'),
      longestHoldTime: int(e.headers, 'longestholdtime'),
    }));
}

/** One dialplan hint as ExtensionStateList reports it (main/pbx.c; pattern hints are left out). */
export interface ExtensionState {
  exten: string;
  context: string;
  /** What the hint watches: devices joined by `&` (`PJSIP/1001&Custom:DND1001`). */
  hint: string;
  /** The extension state: 0 idle, 1 in use, 2 busy, 4 unavailable, 8 ringing, 16 on hold (flags); -1 removed, -2 deactivated. */
  status: number;
}

export function parseExtensionStates(res: AmiResponse): ExtensionState[] {
  return res.events
    .filter((e) => e.name === 'ExtensionStatus')
    .map((e) => ({ exten: str(e.headers, 'exten'), context: str(e.headers, 'context'), hint: str(e.headers, 'hint'), status: int(e.headers, 'status') }));
}

/** DBGet answers with a one-item list (DBGetResponse ... Val). */
export function parseDbGet(res: AmiResponse): string | undefined {
  const item = res.events.find((e) => e.name === 'DBGetResponse');
  return item?.headers.val;
}

/** Whether an Events mask (login `Events:` or the Events action) lets system events through, so FullyBooted can arrive. */
export function maskCarriesSystem(mask: string): boolean {
  const m = mask.trim().toLowerCase();
  if (['on', 'yes', 'true', 'y', 't', '1'].includes(m)) return true;
  if (/^\d+$/.test(m)) return (Number(m) & 1) === 1; // EVENT_FLAG_SYSTEM
  return m.split(',').some((c) => c.trim() === 'system' || c.trim() === 'all');
}
