// The live stream as server-sent events: first a `snapshot` of the state in
// the client's scope, then each change as it happens, every frame
//   id: <n>\nevent: <type>\ndata: <one line of JSON>\n\n
// A comment line every heartbeatMs keeps proxies from closing an idle stream.
// A client that stops reading is cut off rather than buffered without end.
import type { ServerResponse } from 'node:http';
import type { LiveFeed } from './feed.ts';
import type { LiveHub } from './hub.ts';
import type { Scope } from './scope.ts';

export interface SseOptions {
  feed: LiveFeed;
  hub: LiveHub;
  /** Default 15000. */
  heartbeatMs?: number;
  /** Bytes a client may leave unread before it is cut off. Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Streams open at once; more are refused. Default 500. */
  maxStreams?: number;
}

function frame(id: number, type: string, json: string): string {
  return `id: ${id}\nevent: ${type}\ndata: ${json}\n\n`;
}

export class SseStreams {
  readonly #o: Required<Omit<SseOptions, 'feed' | 'hub'>> & Pick<SseOptions, 'feed' | 'hub'>;
  readonly #open = new Set<ServerResponse>();

  constructor(o: SseOptions) {
    this.#o = { heartbeatMs: 15_000, maxBufferedBytes: 4 * 1024 * 1024, maxStreams: 500, ...o };
  }

  get open(): number {
    return this.#open.size;
  }

  get full(): boolean {
    return this.#open.size >= this.#o.maxStreams;
  }

  /** Takes over the response: headers (with `headers`, e.g. CORS), snapshot, then changes until either side closes. */
  serve(res: ServerResponse, scope: Scope, onEnd?: () => void, headers: Record<string, string> = {}): void {
    const { feed, hub } = this.#o;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx would otherwise hold events back in its buffer.
      'x-accel-buffering': 'no',
    });
    this.#open.add(res);
    let unsubscribe = (): void => undefined;
    const beat = setInterval(() => send(': keep-alive\n\n'), this.#o.heartbeatMs);
    const end = (): void => {
      if (!this.#open.delete(res)) return;
      clearInterval(beat);
      unsubscribe();
      onEnd?.();
    };
    const send = (text: string): void => {
      if (res.destroyed || res.writableEnded) return;
      if (res.writableLength > this.#o.maxBufferedBytes) {
        res.destroy();
        return;
      }
      res.write(text);
    };
    res.on('close', end);
    send('retry: 2000\n\n');
    // Snapshot and subscription in one turn of the event loop: no change can fall between them.
    send(frame(hub.lastId, 'snapshot', JSON.stringify({ type: 'snapshot', ...feed.snapshot(scope) })));
    unsubscribe = hub.subscribe(scope, (d) => send(frame(d.id, d.type, d.json)));
  }

  /** Ends every stream (shutdown): clients see the end and reconnect elsewhere or later. */
  closeAll(): void {
    for (const res of [...this.#open]) res.end();
  }
}
