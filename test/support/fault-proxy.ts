// A TCP proxy on loopback in front of Redis or Asterisk's AMI that can lose the
// reply of one command: the k-th command (Redis: a RESP array; AMI: a message
// ending in an empty line) is passed on, then the connection is cut before
// its reply comes back, as a network fault or a restart would. Everything up
// to that command reached the server; nothing after it did.
import net from 'node:net';

export type Protocol = 'redis' | 'ami';

export interface FaultProxy {
  readonly port: number;
  /** Commands passed on so far, over every connection. */
  readonly commands: number;
  /**
   * The `k`-th command from now (1 = the next) reaches the server; its reply is
   * lost and the connection cut. `then` runs the moment it has passed (a test
   * kills the service there: it dies with the command sent and unanswered).
   */
  loseReplyOf(k: number, then?: () => void): void;
  /** Whether the armed fault has happened. */
  readonly fired: boolean;
  stop(): Promise<void>;
}

/** Splits a client's byte stream into whole commands, returning how many bytes each took. */
function commandSplitter(protocol: Protocol): (chunk: Buffer) => number[] {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const sizes: number[] = [];
    for (;;) {
      const n = protocol === 'ami' ? amiMessage(buf) : respArray(buf);
      if (n === 0) break;
      sizes.push(n);
      buf = buf.subarray(n);
    }
    return sizes;
  };
}

function amiMessage(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n');
  return end < 0 ? 0 : end + 4;
}

// *<n>\r\n then n bulk strings $<len>\r\n<bytes>\r\n (what clients send).
function respArray(buf: Buffer): number {
  const line = (at: number): [string, number] | undefined => {
    const end = buf.indexOf('\r\n', at);
    return end < 0 ? undefined : [buf.toString('latin1', at, end), end + 2];
  };
  const head = line(0);
  if (!head || head[0][0] !== '*') return 0;
  let at = head[1];
  for (let i = 0; i < Number(head[0].slice(1)); i++) {
    const bulk = line(at);
    if (!bulk) return 0;
    const len = Number(bulk[0].slice(1));
    if (buf.length < bulk[1] + len + 2) return 0;
    at = bulk[1] + len + 2;
  }
  return at;
}

export async function startFaultProxy(target: { host: string; port: number }, protocol: Protocol): Promise<FaultProxy> {
  let commands = 0;
  let armedAt: number | undefined;
  let onFired: (() => void) | undefined;
  let fired = false;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const split = commandSplitter(protocol);
    let cut = false;
    const cutBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    // Bytes of an unfinished command already passed on with an earlier chunk.
    let carried = 0;
    client.on('data', (chunk) => {
      if (cut) return;
      let passed = -carried;
      for (const size of split(chunk)) {
        commands += 1;
        passed += size;
        if (armedAt !== undefined && commands === armedAt) {
          // This command reaches the server; what follows it does not, and neither does any reply.
          armedAt = undefined;
          fired = true;
          cut = true;
          upstream.write(chunk.subarray(0, passed));
          setTimeout(cutBoth, 30);
          onFired?.();
          onFired = undefined;
          return;
        }
      }
      // Bytes of a command not yet whole go on too: the server waits for the rest.
      carried = chunk.length - passed;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cut) client.write(chunk);
    });
    const close = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      cutBoth();
    };
    client.on('close', close).on('error', () => {});
    upstream.on('close', close).on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    get commands() {
      return commands;
    },
    loseReplyOf(k, then) {
      armedAt = commands + k;
      onFired = then;
      fired = false;
    },
    get fired() {
      return fired;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
