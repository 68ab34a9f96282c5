// Typed payloads of the events agentgate acts on, parsed from the headers
// Asterisk 22 sends (shared/asterisk/ami-queue-call-*.log, ami-more.log).
import type { AmiEvent } from './parser.ts';
import { parseMember, type QueueMember } from './actions.ts';
import { flag, int, str } from './fields.ts';

type Headers = Readonly<Record<string, string>>;

/**
 * QueueMemberAdded / Removed / Pause / Status: one member of one queue, in the
 * same shape as a QueueStatus QueueMember item (one member shape at the AMI
 * edge), plus the ring-in-use flag that only the events carry.
 */
export interface QueueMemberEvent extends QueueMember {
  ringinuse: boolean;
}

/** The caller's channel, as queue caller and agent events carry it. */
export interface ChannelInfo {
  channel: string;
  uniqueid: string;
  linkedid: string;
  callerIdNum: string;
  callerIdName: string;
  connectedLineNum: string;
  connectedLineName: string;
  context: string;
  exten: string;
}

/** AgentCalled: a member's phone is being rung for a caller. */
export interface AgentCalledEvent extends ChannelInfo {
  queue: string;
  interface: string;
  memberName: string;
  destChannel: string;
  destUniqueid: string;
}

export interface AgentConnectEvent extends AgentCalledEvent {
  holdTime: number;
  ringTime: number;
}

export interface AgentCompleteEvent extends AgentCalledEvent {
  holdTime: number;
  talkTime: number;
  /** caller | agent | transfer */
  reason: string;
}

export interface AgentRingNoAnswerEvent extends AgentCalledEvent {
  /** Milliseconds. */
  ringTime: number;
}

export interface QueueCallerJoinEvent extends ChannelInfo {
  queue: string;
  position: number;
  count: number;
}

export type QueueCallerLeaveEvent = QueueCallerJoinEvent;

export interface QueueCallerAbandonEvent extends ChannelInfo {
  queue: string;
  position: number;
  originalPosition: number;
  holdTime: number;
}

/** Sent at every login with system events on; only a smaller Uptime than expected means a restart. */
export interface FullyBootedEvent {
  uptime: number;
  lastReload: number;
  status: string;
}

export interface DeviceStateChangeEvent {
  device: string;
  /** NOT_INUSE, INUSE, BUSY, UNAVAILABLE, RINGING, ... */
  state: string;
}

/** Event name → listener arguments, for AmiClient's typed `on`. */
export interface AmiTypedEventMap {
  QueueMemberAdded: [QueueMemberEvent];
  QueueMemberRemoved: [QueueMemberEvent];
  QueueMemberPause: [QueueMemberEvent];
  QueueMemberStatus: [QueueMemberEvent];
  AgentCalled: [AgentCalledEvent];
  AgentConnect: [AgentConnectEvent];
  AgentComplete: [AgentCompleteEvent];
  AgentRingNoAnswer: [AgentRingNoAnswerEvent];
  QueueCallerJoin: [QueueCallerJoinEvent];
  QueueCallerLeave: [QueueCallerLeaveEvent];
  QueueCallerAbandon: [QueueCallerAbandonEvent];
  FullyBooted: [FullyBootedEvent];
  DeviceStateChange: [DeviceStateChangeEvent];
}

export type TypedEventName = keyof AmiTypedEventMap;

export function parseQueueMemberEvent(h: Headers): QueueMemberEvent {
  return { ...parseMember(h, 'membername', 'interface'), ringinuse: flag(h, 'ringinuse') };
}

function channelInfo(h: Headers): ChannelInfo {
  return {
    channel: str(h, 'channel'),
    uniqueid: str(h, 'uniqueid'),
    linkedid: str(h, 'linkedid'),
    callerIdNum: str(h, 'calleridnum'),
    callerIdName: str(h, 'calleridname'),
    connectedLineNum: str(h, 'connectedlinenum'),
    connectedLineName: str(h, 'connectedlinename'),
    context: str(h, 'context'),
    exten: str(h, 'exten'),
  };
}

function agentCalled(h: Headers): AgentCalledEvent {
  return {
    ...channelInfo(h),
    queue: str(h, 'queue'),
    interface: str(h, 'interface'),
    memberName: str(h, 'membername'),
    destChannel: str(h, 'destchannel'),
    destUniqueid: str(h, 'destuniqueid'),
  };
}

function callerJoin(h: Headers): QueueCallerJoinEvent {
  return { ...channelInfo(h), queue: str(h, 'queue'), position: int(h, 'position'), count: int(h, 'count') };
}

const PARSERS: { [K in TypedEventName]: (h: Headers) => AmiTypedEventMap[K][0] } = {
  QueueMemberAdded: parseQueueMemberEvent,
  QueueMemberRemoved: parseQueueMemberEvent,
  QueueMemberPause: parseQueueMemberEvent,
  QueueMemberStatus: parseQueueMemberEvent,
  AgentCalled: agentCalled,
  AgentConnect: (h) => ({ ...agentCalled(h), holdTime: int(h, 'holdtime'), ringTime: int(h, 'ringtime') }),
  AgentComplete: (h) => ({ ...agentCalled(h), holdTime: int(h, 'holdtime'), talkTime: int(h, 'talktime'), reason: str(h, 'reason') }),
  AgentRingNoAnswer: (h) => ({ ...agentCalled(h), ringTime: int(h, 'ringtime') }),
  QueueCallerJoin: callerJoin,
  QueueCallerLeave: callerJoin,
  QueueCallerAbandon: (h) => ({
    ...channelInfo(h),
    queue: str(h, 'queue'),
    position: int(h, 'position'),
    originalPosition: int(h, 'originalposition'),
    holdTime: int(h, 'holdtime'),
  }),
  FullyBooted: (h) => ({ uptime: int(h, 'uptime'), lastReload: int(h, 'lastreload'), status: str(h, 'status') }),
  DeviceStateChange: (h) => ({ device: str(h, 'device'), state: str(h, 'state') }),
};

export function isTypedEventName(name: string): name is TypedEventName {
  return Object.hasOwn(PARSERS, name);
}

/** The typed payload of an event agentgate knows, or undefined. */
export function parseTypedEvent<K extends TypedEventName>(name: K, event: AmiEvent): AmiTypedEventMap[K][0] {
  return PARSERS[name](event.headers);
}
