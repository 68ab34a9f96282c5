// Plays a recorded AMI session back to a client: writes each RECV block as its
// own read, and compares every message the client sends with the recorded SENT
// block, byte for byte except the ActionID value (each client numbers its
// own; the recorded id is replaced by the client's in the replies).
import net from 'node:net';
import { blocks } from './recordings.ts';

export interface Script {
  port: number;
  /** One entry per SENT block the client did not reproduce exactly. */
  mismatches: string[];
  /** SENT blocks not yet received. */
  remaining(): number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ACTION_ID = /^ActionID: (.*)\r$/m;

export async function playScript(file: string): Promise<Script> {
  const list = blocks(file);
  const mismatches: string[] = [];
  let index = 0;
  const sockets = new Set<net.Socket>();

  const serve = async (socket: net.Socket): Promise<void> => {
    const ids = new Map<string, string>();
    const queue: string[] = [];
    let buf = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buf += d;
      for (let at = buf.indexOf('\r\n\r\n'); at !== -1; at = buf.indexOf('\r\n\r\n')) {
        queue.push(buf.slice(0, at + 4));
        buf = buf.slice(at + 4);
      }
    });
    const nextMessage = async (): Promise<string | undefined> => {
      while (queue.length === 0) {
        if (socket.destroyed) return undefined;
        await sleep(2);
      }
      return queue.shift();
    };
    for (; index < list.length; index++) {
      const block = list[index];
      if (!block) break;
      if (block.dir === 'sent') {
        const got = await nextMessage();
        if (got === undefined) break;
        const recId = ACTION_ID.exec(block.text)?.[1];
        const gotId = ACTION_ID.exec(got)?.[1];
        if (recId !== undefined && gotId !== undefined) ids.set(recId, gotId);
        const expected = recId !== undefined && gotId !== undefined ? block.text.replace(`ActionID: ${recId}\r\n`, `ActionID: ${gotId}\r\n`) : block.text;
        if (got !== expected) mismatches.push(`expected ${JSON.stringify(expected)}\n     got ${JSON.stringify(got)}`);
      } else {
        let text = block.text;
        for (const [recId, gotId] of ids) text = text.split(`ActionID: ${recId}\r\n`).join(`ActionID: ${gotId}\r\n`);
        socket.write(text);
        await sleep(5);
        if (text.startsWith('Response: Goodbye')) {
          index += 1;
          socket.end();
          break;
        }
      }
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    void serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    mismatches,
    remaining: () => list.slice(index).filter((b) => b.dir === 'sent').length,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
