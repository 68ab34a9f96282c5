// The admin API as a client meets it: the whole app (harness) with the API on
// a free port, two tokens, plain fetch, and a small server-sent-events reader.
import type { Logger } from '../../lib/log.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

export const READ_TOKEN = 'wallboard-0123456789abcdef';
export const ADMIN_TOKEN = 'supervisor-0123456789abcdef';

export interface ApiHarness extends Harness {
  base: string;
  /** One request; the body parsed as JSON when it is JSON. */
  req(method: string, path: string, o?: { token?: string | null; body?: unknown; rawBody?: string; contentType?: string }): Promise<ApiResponse>;
  /** A live stream, read until closed. */
  stream(query?: string, token?: string): Promise<StreamClient>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function startApiHarness(env: Record<string, string> = {}, opts: { logger?: Logger } = {}): Promise<ApiHarness> {
  const h = await startHarness({
    env: { API_PORT: '0', API_TOKENS: `wallboard:read:${READ_TOKEN},supervisor:admin:${ADMIN_TOKEN}`, TOGGLE_RATE_LIMIT: '1000', ...env },
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  await waitFor(() => h.app.live.synced, 'live model synced');
  const base = `http://127.0.0.1:${h.app.apiPort}`;
  const streams: StreamClient[] = [];
  return {
    ...h,
    base,
    async req(method, path, o = {}) {
      const headers: Record<string, string> = {};
      const token = o.token === undefined ? ADMIN_TOKEN : o.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers['content-type'] = o.contentType ?? 'application/json';
      const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const isJson = (res.headers.get('content-type') ?? '').includes('json');
      return { status: res.status, headers: res.headers, body: isJson && text ? JSON.parse(text) : text };
    },
    async stream(query = '', token = READ_TOKEN) {
      const s = await StreamClient.open(`${base}/events${query ? `?${query}` : ''}`, token);
      streams.push(s);
      return s;
    },
    async stop() {
      for (const s of streams) s.close();
      await h.stop();
    },
  };
}

export interface StreamEvent {
  id: number;
  type: string;
  data: any;
}

/** Reads `id:` / `event:` / `data:` frames as a browser's EventSource would. */
export class StreamClient {
  readonly events: StreamEvent[] = [];
  readonly status: number;
  readonly contentType: string;
  readonly #abort: AbortController;
  #ended = false;
  #waiters: Array<() => void> = [];

  private constructor(status: number, contentType: string, abort: AbortController) {
    this.status = status;
    this.contentType = contentType;
    this.#abort = abort;
  }

  static async open(url: string, token: string): Promise<StreamClient> {
    const abort = new AbortController();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: abort.signal });
    const client = new StreamClient(res.status, res.headers.get('content-type') ?? '', abort);
    if (!res.ok || !res.body) {
      client.#ended = true;
      return client;
    }
    void client.#read(res.body);
    return client;
  }

  get ended(): boolean {
    return this.#ended;
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const frame = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) continue;
            const at = line.indexOf(': ');
            if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
          }
          if (fields.data !== undefined) this.events.push({ id: Number(fields.id), type: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
        this.#wake();
      }
    } catch {
      // aborted
    } finally {
      this.#ended = true;
      this.#wake();
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Waits until the events received satisfy `cond`. */
  async until(cond: (events: StreamEvent[]) => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond(this.events)) {
      if (this.#ended) throw new Error(`stream ended before ${what}; got ${this.describe().join(' | ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.describe().join(' | ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The events after the snapshot, each as "type queue who", for compact assertions. */
  changes(): string[] {
    return this.events.filter((e) => e.type !== 'snapshot').map(brief);
  }

  describe(): string[] {
    return this.events.map(brief);
  }

  close(): void {
    this.#abort.abort();
  }
}

/**
 * One line per event: type, queue, number (the agent only where it is the
 * subject, since a member's agent can be learnt a moment after its login).
 */
export function brief(e: StreamEvent): string {
  const d = e.data;
  const who = d.number ?? '';
  switch (e.type) {
    case 'snapshot': return `snapshot ${d.members.length} members`;
    case 'pbx': return `pbx ${d.connected ? 'connected' : 'disconnected'}${d.synced ? ' synced' : ''}`;
    case 'callers': return `callers ${d.queue} ${d.change} ${d.count}`;
    case 'paused': return `paused ${d.queue} ${who} ${d.member.reason}`;
    case 'status': return `status ${d.queue} ${who} ${d.member.status}`;
    case 'offered': return `offered ${d.queue} ${who} ${d.caller.number}`;
    case 'callStarted': return `callStarted ${d.queue} ${who} with ${d.call.remote}`;
    case 'callEnded': return `callEnded ${d.queue} ${who} ${d.summary ? `talk ${d.summary.talkTime}` : 'unseen'}`;
    case 'refused': return `refused ${d.queue ?? '-'} ${who} ${d.code}`;
    case 'agentLoggedIn': case 'agentLoggedOut': return `${e.type} agent ${d.agent} at ${d.phone} [${d.queues.join(',')}]`;
    default: return `${e.type} ${d.queue ?? '-'} ${who}`.trim();
  }
}

export { waitFor };
