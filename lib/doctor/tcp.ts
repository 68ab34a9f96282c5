// Plain TCP probes: is something listening, and what does it say first.
import net from 'node:net';

export interface TcpProbe {
  /** Connected. */
  open: boolean;
  /** The peer's address as connected (a resolved host name). */
  remoteAddress?: string;
  /** First line the peer sent within the wait, if any. */
  banner?: string;
  /** Why it did not connect (ECONNREFUSED, timeout ...). */
  error?: string;
}

/** Connects, waits up to `bannerMs` for a first line when asked, and closes without writing anything. */
export function probeTcp(host: string, port: number, opts: { timeoutMs?: number; bannerMs?: number } = {}): Promise<TcpProbe> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let result: TcpProbe | undefined;
    let buf = '';
    const done = (r: TcpProbe): void => {
      if (result) return;
      result = r;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(socket.remoteAddress ? { open: true, remoteAddress: socket.remoteAddress } : { open: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('connect', () => {
      if (!opts.bannerMs) done({ open: true, remoteAddress: socket.remoteAddress });
      else {
        clearTimeout(timer);
        setTimeout(() => done({ open: true, remoteAddress: socket.remoteAddress, banner: buf || undefined }), opts.bannerMs).unref();
      }
    });
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl !== -1) done({ open: true, remoteAddress: socket.remoteAddress, banner: buf.slice(0, nl).replace(/\r$/, '') });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done({ open: false, error: err.code ?? err.message }));
  });
}
