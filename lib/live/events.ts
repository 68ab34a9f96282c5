// What the live stream tells its clients: a small agent/queue model digested
// from AMI events (so clients do no AMI work), in pbxis' spirit. Every event
// carries its scope at the top level (`queue`, `agent`, `number`, whichever
// apply), and member events carry the member's whole state, so a client can
// simply upsert what it receives.
import type { MemberStatusWord } from '../asterisk/device-state.ts';

/** A call in progress at a member: who is on the other end, since when. */
export interface CallInfo {
  /** The caller's number (CallerIDNum of the queue caller's channel). */
  remote: string;
  remoteName: string;
  /** Uniqueid of the caller's channel. */
  uniqueid: string;
  /** ms since the epoch when the member answered. */
  since: number;
  /** Seconds the caller waited in the queue before this member answered. */
  holdTime: number;
}

/** One member of one queue, as Asterisk has it now. */
export interface MemberView {
  queue: string;
  interface: string;
  /** The number the interface rings (Local/<n>@..., PJSIP/<n>); null when it names none. */
  number: string | null;
  /** The agent bound to this interface (agent login), or null. */
  agent: string | null;
  name: string;
  /** dynamic | static | realtime */
  membership: string;
  penalty: number;
  paused: boolean;
  /** Pause reason ('' when none or not paused). */
  reason: string;
  /** ms since the epoch when the pause began; null when not paused. */
  pausedSince: number | null;
  status: MemberStatusWord;
  /** The AST_DEVICE_* number behind `status`. */
  statusCode: number;
  inCall: boolean;
  /** ms since the epoch when the member was added (Asterisk's LoginTime); null when Asterisk gives none. */
  since: number | null;
  callsTaken: number;
  call: CallInfo | null;
}

/** A caller waiting in a queue. */
export interface Caller {
  uniqueid: string;
  number: string;
  name: string;
  position: number;
  /** ms since the epoch when the caller joined (estimated from Wait after a re-sync). */
  since: number;
}

/** How a finished call went, from AgentComplete. */
export interface CallSummary {
  remote: string;
  remoteName: string;
  uniqueid: string;
  /** Seconds waited in the queue. */
  holdTime: number;
  /** Seconds talked. */
  talkTime: number;
  /** caller | agent | transfer */
  reason: string;
}

export interface QueueView {
  queue: string;
  members: MemberView[];
  /** Members in the queue, paused or not. */
  loggedIn: number;
  /** Members not paused and with a free phone. */
  available: number;
  paused: number;
  /** Callers waiting. */
  callers: number;
  waiting: Caller[];
}

export interface AgentPresence {
  agent: string;
  phone: string;
  interface: string;
  /** ms since the epoch when the agent logged in there. */
  since: number;
  /** Queues it is in now. */
  queues: string[];
}

interface Scoped {
  /** ms since the epoch when agentgate saw the change. */
  at: number;
  queue?: string;
  /** Instead of `queue`, for an event about several queues: in scope when any of them is. */
  queues?: string[];
  agent?: string;
  number?: string;
}

export type MemberEventType = 'loggedIn' | 'loggedOut' | 'updated' | 'paused' | 'unpaused' | 'status' | 'callStarted' | 'callEnded';

export type LiveEvent = Scoped & (
  | { type: 'loggedIn' | 'loggedOut' | 'updated' | 'paused' | 'unpaused'; member: MemberView }
  | { type: 'status'; member: MemberView; previous: MemberStatusWord }
  | { type: 'callStarted'; member: MemberView; call: CallInfo }
  /** summary is null when the call ended while Asterisk was not connected (its AgentComplete was never seen). */
  | { type: 'callEnded'; member: MemberView; summary: CallSummary | null }
  /** A member's phone is being rung for a caller (AgentCalled). */
  | { type: 'offered'; member: MemberView; caller: { number: string; name: string; uniqueid: string } }
  /** ringTime in ms. */
  | { type: 'ringNoAnswer'; member: MemberView; caller: { number: string; name: string; uniqueid: string }; ringTime: number }
  | { type: 'callers'; count: number; change: 'joined' | 'left' | 'abandoned' | 'resync'; caller: Caller | null; waiting: Caller[] }
  /** An agent came to or left a phone. `queues`: those it is (was) in, for scoping; members: its members at login. */
  | { type: 'agentLoggedIn' | 'agentLoggedOut'; phone: string; interface: string; since: number; queues: string[]; members: MemberView[] }
  /** A change the domain refused (audit trail result REFUSED or LOCKED_OUT), from any instance or the CLI. */
  | { type: 'refused'; action: string; subject: string; result: string; code: string; detail: string; source: string; by: string }
  /** The AMI link: synced is true once the model was rebuilt from QueueStatus after a (re)connect. */
  | { type: 'pbx'; connected: boolean; synced: boolean }
);

export type LiveEventType = LiveEvent['type'];

export const LIVE_EVENT_TYPES: readonly LiveEventType[] = [
  'loggedIn', 'loggedOut', 'updated', 'paused', 'unpaused', 'status', 'callStarted', 'callEnded',
  'offered', 'ringNoAnswer', 'callers', 'agentLoggedIn', 'agentLoggedOut', 'refused', 'pbx',
];

/** What a client gets first on connecting: the current state in its scope. */
export interface Snapshot {
  at: number;
  connected: boolean;
  synced: boolean;
  members: MemberView[];
  queues: Array<Omit<QueueView, 'members'>>;
  agents: AgentPresence[];
}
