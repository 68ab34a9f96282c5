// The live stream (/events) read with fetch, since EventSource cannot send a
// bearer token: frames are split at blank lines, `event:` and `data:` read,
// comments (the keep-alives) only prove the link is alive. When the stream
// ends or fails it reconnects by itself with a growing pause (the server sends
// a fresh snapshot each time); a stream silent past twice the server's
// keep-alive is taken for dead, as a half-open TCP link never ends by itself.
const SILENCE_MS = 40_000;
const MAX_PAUSE_MS = 5_000;

/**
 * onEvent(type, data) per frame; onLink({ state: 'up' | 'down' | 'unauthorized', retryIn?, error? }).
 * Returns { stop(), retryNow() }.
 */
export function openStream({ path, token, onEvent, onLink }) {
  let stopped = false;
  let attempt = 0;
  let ctrl;
  let wake;

  const sleep = (ms) => new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => { clearTimeout(t); resolve(); };
  });

  async function once() {
    ctrl = new AbortController();
    let silence;
    const alive = () => { clearTimeout(silence); silence = setTimeout(() => ctrl.abort(), SILENCE_MS); };
    try {
      alive();
      const res = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, cache: 'no-store', signal: ctrl.signal });
      if (res.status === 401) return 'unauthorized';
      if (!res.ok || !res.body) return `the service answered ${res.status}`;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'the service closed the stream';
        alive();
        buf += value.replace(/\r\n?/g, '\n');
        for (let i; (i = buf.indexOf('\n\n')) >= 0;) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let type = 'message';
          const data = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) type = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length === 0) continue;
          if (type === 'snapshot') {
            attempt = 0;
            onLink({ state: 'up' });
          }
          try {
            onEvent(type, JSON.parse(data.join('\n')));
          } catch (err) {
            console.error('live event not shown', type, err);
          }
        }
      }
    } catch (err) {
      return stopped ? 'stopped' : 'the link to the service broke';
    } finally {
      clearTimeout(silence);
    }
  }

  (async () => {
    while (!stopped) {
      const why = await once();
      if (stopped) return;
      if (why === 'unauthorized') {
        onLink({ state: 'unauthorized' });
        return;
      }
      attempt += 1;
      const pause = Math.min(MAX_PAUSE_MS, 500 * 2 ** (attempt - 1));
      onLink({ state: 'down', retryIn: pause, error: why });
      await sleep(pause);
    }
  })();

  return {
    stop() {
      stopped = true;
      ctrl?.abort();
      wake?.();
    },
    retryNow() {
      wake?.();
    },
  };
}
