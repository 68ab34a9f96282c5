// The live stream as server-sent events: first a `snapshot` of the state in
// the client's scope, then each change as it happens, every frame
//   id: <n>\nevent: <type>\ndata: <one line of JSON>\n\n
// A comment line every heartbeatMs keeps proxies from closing an idle stream.
//
// Memory is bounded for all streams together, not only per stream: a client
// that stops reading leaves every event for it in its socket's buffer, and 500
// of them at 4 MiB each took the process to gigabytes (issue 14). So:
// - one budget (budgetBytes) for the bytes buffered across all streams; past
//   it, streams with unread data (the slow readers) are cut, oldest first,
//   until the rest fit;
// - one stream's own cap (maxBufferedBytes);
// - a cap on streams per token (maxStreamsPerToken) and in all (maxStreams).
// A cut stream ends with a last `closing` event saying why, behind what the
// client left unread; a client still too slow to get to it is dropped after
// CUT_GRACE_MS.
import type { ServerResponse } from 'node:http';
import type { LiveFeed } from './feed.ts';
import type { Delivery, LiveHub } from './hub.ts';
import type { Scope } from './scope.ts';

export interface SseOptions {
  feed: LiveFeed;
  hub: LiveHub;
  /** Default 15000. */
  heartbeatMs?: number;
  /** Bytes one client may leave unread before it is cut off. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Bytes all streams together may hold unread; past it the slow readers are cut, oldest first. Default 32 MiB. */
  budgetBytes?: number;
  /** Streams open at once; more are refused. Default 500. */
  maxStreams?: number;
  /** Streams one token may hold open at once. Default 20. */
  maxStreamsPerToken?: number;
  /** Frames for a stream within this many ms go out as one write. Default 50 (a wallboard does not need less). */
  flushMs?: number;
}

/** Why a stream was ended by the server: the `reason` of its last event. */
export type CutReason = 'BUFFER_BUDGET' | 'SLOW_READER';

/** Unread bytes past which a stream counts as a slow reader (a socket buffers 16 KiB by itself). */
const SLOW_BYTES = 64 * 1024;

/** How long a cut stream's final event may wait to be read before the socket is dropped. */
const CUT_GRACE_MS = 2000;

function frame(id: number, type: string, json: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${json}\n\n`;
}

interface Stream {
  res: ServerResponse;
  token: string;
  /** Unread bytes as of the last write (0 once drained). */
  buffered: number;
  /** Frames not yet written: until the next flush, or while the socket is backed up, until it drains. */
  pending: string[];
  pendingBytes: number;
  /** The last write was not taken whole: wait for 'drain'. */
  blocked: boolean;
  cut: boolean;
  /** Ends the stream's part in the service now (slot, heartbeat, subscription), saying why (set by serve). */
  cutWith?: (reason: CutReason) => void;
}

export class SseStreams {
  readonly #o: Required<Omit<SseOptions, 'feed' | 'hub'>> & Pick<SseOptions, 'feed' | 'hub'>;
  /** In the order they were opened: the oldest first. */
  readonly #open = new Set<Stream>();
  readonly #perToken = new Map<string, number>();
  /** Streams with frames to write at the next flush. */
  readonly #dirty = new Set<Stream>();
  #flushTimer: NodeJS.Timeout | undefined;
  #budgetDue = false;
  /** Each event's frame, built once for all the streams it goes to. */
  readonly #frames = new WeakMap<Delivery, { text: string; bytes: number }>();
  #buffered = 0;

  constructor(o: SseOptions) {
    this.#o = { heartbeatMs: 15_000, maxBufferedBytes: 4 * 1024 * 1024, budgetBytes: 32 * 1024 * 1024, maxStreams: 500, maxStreamsPerToken: 20, flushMs: 50, ...o };
  }

  get open(): number {
    return this.#open.size;
  }

  /** Bytes written to streams and not yet taken by their clients (as of each stream's last write). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  get full(): boolean {
    return this.#open.size >= this.#o.maxStreams;
  }

  /** True when `token` (its name) holds as many streams as it may. */
  fullFor(token: string): boolean {
    return (this.#perToken.get(token) ?? 0) >= this.#o.maxStreamsPerToken;
  }

  /**
   * Takes over the response: headers (with `headers`, e.g. CORS), snapshot,
   * then changes until either side closes. `token` names who opened it (the
   * per-token cap).
   */
  serve(res: ServerResponse, scope: Scope, onEnd?: (cut?: CutReason) => void, headers: Record<string, string> = {}, token = ''): void {
    const { feed, hub } = this.#o;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx would otherwise hold events back in its buffer.
      'x-accel-buffering': 'no',
    });
    const s: Stream = { res, token, buffered: 0, pending: [], pendingBytes: 0, blocked: false, cut: false };
    this.#open.add(s);
    this.#perToken.set(token, (this.#perToken.get(token) ?? 0) + 1);
    let unsubscribe = (): void => undefined;
    let cutReason: CutReason | undefined;
    const beat = setInterval(() => send(': keep-alive\n\n'), this.#o.heartbeatMs);
    const end = (): void => {
      if (!this.#open.delete(s)) return;
      this.#account(s, 0);
      const left = (this.#perToken.get(token) ?? 1) - 1;
      if (left > 0) this.#perToken.set(token, left);
      else this.#perToken.delete(token);
      clearInterval(beat);
      unsubscribe();
      onEnd?.(cutReason);
    };
    // Frames wait in one array and go out as one write every flushMs, or, while
    // the socket is backed up, at its next drain: with hundreds of streams an
    // event costs an array push per stream, not a chunked write (buffers,
    // callback, system call) per stream.
    const send = (text: string, bytes = Buffer.byteLength(text)): void => {
      if (s.cut || res.destroyed || res.writableEnded) return;
      s.pending.push(text);
      s.pendingBytes += bytes;
      this.#account(s, res.writableLength + s.pendingBytes);
      // Slow means the socket has not taken what it was given (blocked), not a burst awaiting the flush.
      if (s.blocked && s.buffered > this.#o.maxBufferedBytes) this.#cut(s, 'SLOW_READER');
      else {
        if (this.#buffered > this.#o.budgetBytes) this.#budgetCheck();
        if (!s.blocked) this.#schedule(s);
      }
    };
    // A cut stream is done with at once (slot, budget, subscription); its socket goes within CUT_GRACE_MS.
    s.cutWith = (reason: CutReason) => {
      cutReason = reason;
      end();
    };
    res.on('drain', () => {
      s.blocked = false;
      this.#writeOut(s);
    });
    res.on('close', end);
    send('retry: 2000\n\n');
    // Snapshot and subscription in one turn of the event loop: no change can fall between them.
    send(frame(hub.lastId, 'snapshot', JSON.stringify({ type: 'snapshot', ...feed.snapshot(scope) })));
    if (s.cut) return;
    this.#writeOut(s); // the snapshot goes at once
    unsubscribe = hub.subscribe(scope, (d) => {
      let f = this.#frames.get(d);
      if (!f) {
        const text = frame(d.id, d.type, d.json);
        f = { text, bytes: Buffer.byteLength(text) };
        this.#frames.set(d, f);
      }
      send(f.text, f.bytes);
    });
  }

  // Once per turn, after the event has been handed to every stream, not once per stream.
  #budgetCheck(): void {
    if (this.#budgetDue) return;
    this.#budgetDue = true;
    queueMicrotask(() => {
      this.#budgetDue = false;
      if (this.#buffered > this.#o.budgetBytes) this.#enforceBudget();
    });
  }

  #schedule(s: Stream): void {
    this.#dirty.add(s);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      const due = [...this.#dirty];
      this.#dirty.clear();
      for (const d of due) this.#writeOut(d);
    }, this.#o.flushMs);
  }

  #writeOut(s: Stream): void {
    const { res } = s;
    if (s.cut || s.blocked || res.destroyed || res.writableEnded || s.pending.length === 0) return;
    const text = s.pending.length === 1 ? s.pending[0]! : s.pending.join('');
    s.pending = [];
    s.pendingBytes = 0;
    if (!res.write(text)) s.blocked = true;
    this.#account(s, res.writableLength);
  }

  /** Ends every stream (shutdown): clients see the end and reconnect elsewhere or later. */
  closeAll(): void {
    for (const s of [...this.#open]) {
      this.#writeOut(s);
      s.res.end();
    }
  }

  #account(s: Stream, now: number): void {
    this.#buffered += now - s.buffered;
    s.buffered = now;
  }

  // Slow readers (socket backed up, more unread than its own buffer: SLOW_BYTES) go first,
  // the oldest of them first; then, if that is not enough, whoever holds the most.
  #enforceBudget(): void {
    for (const s of this.#open) {
      if (this.#buffered <= this.#o.budgetBytes) return;
      if (!s.cut && s.blocked && s.buffered >= SLOW_BYTES) this.#cut(s, 'BUFFER_BUDGET');
    }
    const rest = [...this.#open].filter((s) => !s.cut && s.buffered > 0).sort((a, b) => b.buffered - a.buffered);
    for (const s of rest) {
      if (this.#buffered <= this.#o.budgetBytes) return;
      this.#cut(s, 'BUFFER_BUDGET');
    }
  }

  // The last event says why; the unread data and it are the client's for
  // CUT_GRACE_MS. The budget stops counting the stream at once: what it holds
  // is freed within the grace whatever the client does.
  #cut(s: Stream, reason: CutReason): void {
    s.cut = true;
    s.pending = []; // never written: the client gets a new snapshot when it reconnects
    s.pendingBytes = 0;
    this.#dirty.delete(s);
    s.cutWith?.(reason);
    this.#account(s, 0);
    const { res } = s;
    res.end(frame(this.#o.hub.lastId, 'closing', JSON.stringify({ type: 'closing', reason, message: reason === 'BUFFER_BUDGET'
      ? 'the live streams together hold more unread data than the service allows; this one, among the slowest and oldest, is closed: reconnect for a new snapshot'
      : 'this stream left too much unread; reconnect for a new snapshot' })));
    setTimeout(() => res.destroy(), CUT_GRACE_MS).unref();
  }
}
