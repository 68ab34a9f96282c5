// Redis commands issued in one turn of the event loop leave in one write.
//
// Issue 15: ioredis writes each command to its socket at once, and on loopback
// a write(2) is most of what a command costs (the kernel delivers the segment
// to Redis within the call). Under load, many sessions' replies arrive in one
// turn, and each sends a command. The socket is corked at the turn's first
// command and uncorked when the turn's I/O is done (setImmediate), so they
// share one writev. Order on the connection is unchanged, and a command waits
// microseconds at most; what a dropped connection loses is lost as before.
import type { Redis } from 'ioredis';
import type { Writable } from 'node:stream';

type SendCommand = (...args: unknown[]) => unknown;

/** Wraps `redis.sendCommand` so that the commands of one turn share a write. Returns `redis`. */
export function corkEachTurn(redis: Redis): Redis {
  const client = redis as unknown as { sendCommand: SendCommand; stream?: Writable };
  const send = client.sendCommand.bind(redis) as SendCommand;
  client.sendCommand = (...args: unknown[]) => {
    const socket = client.stream;
    if (socket?.writable && !socket.writableCorked) {
      socket.cork();
      setImmediate(uncork, socket);
    }
    return send(...args);
  };
  return redis;
}

function uncork(socket: Writable): void {
  while (socket.writableCorked) socket.uncork();
}
