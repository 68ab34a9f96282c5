// JSON Schemas of what the API takes and gives. Fastify validates requests
// against them before a handler runs (bad input never reaches the domain) and
// serialises responses through them; openapi.ts publishes the same objects,
// so the document cannot drift from what the service does.
import { MEMBER_STATUS_WORDS } from '../asterisk/device-state.ts';

type Schema = Record<string, unknown>;

const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const int = (description?: string, extra: Schema = {}): Schema => ({ type: 'integer', ...(description ? { description } : {}), ...extra });
const nullable = (s: Schema): Schema => ({ ...s, type: [s.type as string, 'null'] });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties), extra: Schema = {}): Schema => ({
  type: 'object', properties, required, additionalProperties: false, ...extra,
});
const list = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const ms = (what: string): Schema => int(`${what}, in ms since the epoch`);

// ---- request parts ---------------------------------------------------------------

export const QUEUE_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const queueName = str('Queue name as in queues.conf', { pattern: QUEUE_PATTERN });
export const agentId = str('Agent id: 1 to 20 digits', { pattern: '^[0-9]{1,20}$' });
/** Checked and made canonical by the number rules (NUMBER_REWRITE...) in the handler. */
export const phoneNumber = str('A phone number; formatting (+, spaces, dashes, brackets) is removed and NUMBER_REWRITE applied', { minLength: 1, maxLength: 40 });
export const context = str('Dialplan context the member dials through (default MEMBER_CONTEXT)', { pattern: '^[A-Za-z0-9_-]{1,80}$' });
export const pauseReason = str('Pause reason code', { pattern: '^[A-Za-z0-9_.-]{1,32}$' });

export const queueParams = obj({ queue: queueName });
export const numberParams = obj({ number: phoneNumber });
export const agentParams = obj({ id: agentId });
export const allowParams = obj({ queue: queueName, number: phoneNumber });

// ---- the live model --------------------------------------------------------------

export const call = obj({
  remote: str("The caller's number"),
  remoteName: str("The caller's name"),
  uniqueid: str("Uniqueid of the caller's channel"),
  since: ms('When the member answered'),
  holdTime: int('Seconds the caller waited before'),
}, undefined, { description: 'A call in progress' });

export const member = obj({
  queue: str(),
  interface: str('Asterisk member interface'),
  number: nullable(str('The number the interface rings')),
  agent: nullable(str('The agent logged in at this interface')),
  name: str('Member name'),
  membership: str('dynamic, static or realtime'),
  penalty: int(),
  paused: { type: 'boolean' },
  reason: str("Pause reason ('' when none)"),
  pausedSince: nullable(ms('Pause start')),
  status: str('Device state of the member', { enum: [...MEMBER_STATUS_WORDS] }),
  statusCode: int('AST_DEVICE_* number'),
  inCall: { type: 'boolean' },
  since: nullable(ms('Logged in (Asterisk LoginTime)')),
  callsTaken: int(),
  call: { anyOf: [call, { type: 'null' }] },
});

export const caller = obj({
  uniqueid: str(),
  number: str(),
  name: str(),
  position: int(),
  since: ms('Joined the queue'),
});

export const queue = obj({
  queue: str(),
  members: list(member),
  loggedIn: int('Members in the queue'),
  available: int('Members not paused and not busy'),
  paused: int(),
  callers: int('Callers waiting'),
  waiting: list(caller),
});

export const numberState = obj({
  number: str(),
  agent: nullable(str('The agent logged in at this number, if any')),
  loggedIn: { type: 'boolean', description: 'A member of at least one queue' },
  members: list(member),
});

export const agentState = obj({
  id: str(),
  name: str(),
  queues: list(obj({ queue: str(), penalty: int() }), { description: 'Queues the agent logs into' }),
  mobile: nullable(str()),
  loggedIn: { type: 'boolean', description: 'Bound to a phone' },
  phone: nullable(str()),
  interface: nullable(str()),
  since: nullable(ms('Logged in at that phone')),
  status: str('LOGGEDOUT, AVAILABLE, PAUSED (in every queue) or ONCALL', { enum: ['LOGGEDOUT', 'AVAILABLE', 'PAUSED', 'ONCALL'] }),
  members: list(member),
});

// ---- allowlists and audit ----------------------------------------------------------

export const allowedNumber = obj({ number: str(), penalty: int(), name: str(), wrapup: int(), confirm: { type: 'boolean', const: false } }, ['number', 'penalty', 'name']);
export const allowlist = obj({ queue: str(), policy: str('list: only listed numbers; open: any number', { enum: ['list', 'open'] }), numbers: list(allowedNumber) });

export const auditEntry = obj({
  id: str('Stream id, for paging'),
  at: ms('When'),
  action: str(),
  subject: str('Number or agent id'),
  queue: str(),
  result: str('OK, REFUSED, ERROR, LOCKED_OUT, ...'),
  source: str('fastagi, cli, api, asterisk, resync, auto'),
  by: str(),
  channel: str(),
  uniqueid: str(),
  detail: str(),
}, ['id', 'at', 'action', 'subject', 'result', 'source']);

export const auditPage = obj({ entries: list(auditEntry), next: nullable(str('Pass as `before` for the next (older) page; null at the end')) });

// ---- action bodies and results -------------------------------------------------------

const queueList = list(queueName, { minItems: 1, maxItems: 100, uniqueItems: true });

export const numberLoginBody = obj({ queues: queueList, context }, ['queues']);
export const numberLogoutBody = obj({ queues: queueList, context }, [], { description: 'Without queues: every queue the number is in' });
export const queueChange = obj({ queue: str(), before: str('in, out or static'), after: str('in, out or static') });
export const numberChangeResult = obj({
  number: str(),
  state: str('LOGGEDIN, LOGGEDOUT or STATIC', { enum: ['LOGGEDIN', 'LOGGEDOUT', 'STATIC'] }),
  interface: str(),
  queues: list(queueChange),
});

export const agentLoginBody = obj({ phone: phoneNumber, context }, ['phone']);
export const agentLoginResult = obj({
  agentId: str(), phone: str(), interface: str(),
  already: { type: 'boolean', description: 'Already there with every queue in: nothing changed' },
  movedFrom: nullable(str('The phone the agent was moved from')),
  queues: list(queueChange),
});
export const agentLogoutResult = obj({
  agentId: str(),
  wasLoggedIn: { type: 'boolean' },
  phone: nullable(str()),
  removed: list(str(), { description: 'Queues the member was removed from' }),
});
export const forceLogoutResult = obj({
  agentId: str(),
  removed: list(obj({ queue: str(), interface: str() })),
  globalsCleared: list(str()),
  phonesReleased: list(str()),
});
export const pauseBody = obj({ queue: queueName, reason: pauseReason }, [], { description: 'Without queue: every queue of the agent' });
export const unpauseBody = obj({ queue: queueName }, []);
export const pauseResult = obj({
  agentId: str(),
  paused: { type: 'boolean', description: 'Paused in every queue asked, as Asterisk reports after the change' },
  reason: str(),
  status: str('LOGGEDOUT, AVAILABLE, PAUSED or ONCALL'),
  queues: list(str()),
  pausedQueues: list(str()),
});

export const numberPauseBody = obj({ queue: queueName, reason: pauseReason, context }, [], { description: 'Without queue: every queue the number is in' });
export const numberUnpauseBody = obj({ queue: queueName, context }, []);
export const numberPauseResult = obj({
  number: str(),
  interface: str(),
  paused: { type: 'boolean', description: 'Paused in every queue asked, as Asterisk reports after the change' },
  reason: str(),
  queues: list(str()),
  pausedQueues: list(str()),
});

export const allowBody = obj({
  penalty: int('Queue penalty given at login', { minimum: 0, maximum: 1000 }),
  name: str('Member name (default: the number)', { minLength: 1, maxLength: 64 }),
  wrapup: int('Seconds of wrap-up after each queue call (default: the queue\'s)', { minimum: 0, maximum: 3600 }),
  confirm: { type: 'boolean', description: 'false: rung without confirm on answer (default: as CONFIRM_ANSWER says)' },
}, []);
export const allowResult = obj({ queue: str(), number: str(), penalty: int(), name: str(), wrapup: int(), confirm: { type: 'boolean', const: false } }, ['queue', 'number', 'penalty', 'name']);
export const removeResult = obj({ queue: str(), number: str(), removed: { type: 'boolean', const: true } });
export const policyBody = obj({ policy: str(undefined, { enum: ['list', 'open'] }) });
export const policyResult = obj({ queue: str(), policy: str() });

export const auditQuery = obj({
  count: str('Entries per page, 1 to 1000 (default 50)', { pattern: '^[0-9]{1,4}$' }),
  before: str('`next` of the previous page', { pattern: '^[0-9]{1,20}-[0-9]{1,20}$' }),
}, []);

export const scopeQuery = obj({
  queues: str('Comma-separated queue names'),
  agents: str('Comma-separated agent ids'),
  numbers: str('Comma-separated numbers'),
}, []);

export const error = obj({ error: obj({ code: str('Stable code to branch on'), message: str('For people') }) });

export const whoami = obj({
  name: str('The token\'s name, as the audit trail\'s `by` shows it'),
  role: str('read: may see everything; admin: may also act', { enum: ['read', 'admin'] }),
});
