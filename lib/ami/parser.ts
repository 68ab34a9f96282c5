// Turns the library's parsed messages (lower-case names, arrays for repeated
// headers, objects for Variable/ChanVariable) into plain, predictable shapes.
// Pure: no socket here.
import type { RawList, RawMessage } from './manager.ts';

/** One AMI event. Header names are lower-case; a repeated header keeps every value, joined with LF (a value never holds LF on the wire). */
export interface AmiEvent {
  /** The `Event:` header as Asterisk spells it (QueueMemberAdded, FullyBooted ...). */
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A reply to one action. */
export interface AmiResponse {
  /** 'Success', 'Error', 'Goodbye' (Logoff) or, before Asterisk 14, 'Follows'. */
  readonly response: string;
  readonly actionId: string;
  /** The `Message:` header, '' when absent. */
  readonly message: string;
  /** Every header of the reply, names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  /** `Output:` lines of a Command reply, in order ([] otherwise). */
  readonly output: readonly string[];
  /** The items of an event list (QueueStatus, QueueSummary, DBGet ...), [] for a plain reply. */
  readonly events: readonly AmiEvent[];
  /** The list's closing `...Complete` event, when the reply was a list. */
  readonly complete?: AmiEvent;
}

function spell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(spell).join('\n');
  if (value !== null && typeof value === 'object') {
    // Variable/ChanVariable: the library split "name=value"; put it back.
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => (v === '' || v === undefined ? k : `${k}=${spell(v)}`))
      .join('\n');
  }
  return value === undefined || value === null ? '' : String(value);
}

/** All headers of a raw message as strings. */
export function flattenHeaders(raw: RawMessage): Record<string, string> {
  const out: Record<string, string> = {};
  // for-in rather than Object.entries: no array per header, on every event of a flood.
  for (const key in raw) if (Object.hasOwn(raw, key)) out[key] = spell(raw[key]);
  return out;
}

export function toEvent(raw: RawMessage): AmiEvent {
  const headers = flattenHeaders(raw);
  return { name: headers.event ?? '', headers };
}

function outputLines(raw: RawMessage): string[] {
  const output = raw.output;
  if (typeof output === 'string') return [output];
  if (Array.isArray(output)) return output.map(spell);
  // Asterisk before 14 answered Command with "Response: Follows" and a bare body.
  if (typeof raw.content === 'string') {
    return raw.content
      .split('\n')
      .filter((line) => !/^(Response|Privilege|ActionID): /i.test(line) && line !== '--END COMMAND--');
  }
  return [];
}

export function toResponse(raw: RawMessage, list?: RawList): AmiResponse {
  const headers = flattenHeaders(raw);
  const response: AmiResponse = {
    response: headers.response ?? '',
    actionId: headers.actionid ?? '',
    message: headers.message ?? '',
    headers,
    output: outputLines(raw),
    events: list ? list.events.map(toEvent) : [],
    ...(list ? { complete: toEvent(list.complete) } : {}),
  };
  return response;
}
