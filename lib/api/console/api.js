// The console's side of the admin API: the token (kept in sessionStorage, so
// it lasts as long as the tab and is never written to a URL or a cookie) and
// one request helper whose errors carry the API's stable code and words.
const KEY = 'agentgate.token';

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  set(token) { sessionStorage.setItem(KEY, token); },
  clear() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// What a supervisor should read first; the service's own message follows it.
const WORDS = {
  UNAUTHENTICATED: 'The token was not accepted.',
  FORBIDDEN: 'This token may only look, not act.',
  NOT_AUTHORIZED: 'That number is not on the queue\'s allowlist.',
  INVALID_NUMBER: 'That is not a phone number agentgate accepts.',
  BAD_PARAMS: 'Some of what was entered is not valid.',
  NOT_FOUND: 'Not found.',
  AGENT_NOT_FOUND: 'There is no agent with that ID.',
  NOT_LISTED: 'That number is not on the list.',
  NO_SUCH_QUEUE: 'Asterisk has no such queue.',
  PHONE_TAKEN: 'Another agent is logged in at that phone.',
  NOT_LOGGED_IN: 'The agent is not logged in.',
  AGENT_NO_QUEUES: 'The agent has no queues.',
  BUSY: 'Someone else is changing the same member right now; try again.',
  RATE_LIMITED: 'Too many changes for this number; wait a minute.',
  PBX_UNAVAILABLE: 'Asterisk cannot be reached; nothing was changed.',
  STORE_UNAVAILABLE: 'Redis cannot be reached; nothing was changed.',
  NOT_SYNCED: 'agentgate is catching up with Asterisk; try again in a moment.',
  NETWORK: 'agentgate cannot be reached.',
};

/** One sentence for people: what went wrong, the service's details, and the code. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  const lead = WORDS[err.code];
  const detail = err.message && err.message !== lead ? err.message : '';
  return [lead, detail].filter(Boolean).join(' ') + ` (${err.code})`;
}

export async function api(method, path, body) {
  const headers = { authorization: `Bearer ${session.token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'NETWORK', '');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? res.statusText);
  return data;
}

/** Path segment, encoded. */
export const seg = (s) => encodeURIComponent(String(s));
