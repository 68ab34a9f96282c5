// The FastAGI listener: who may connect (allowlist, session caps overall and
// per address; refusals logged as counts per interval), and a
// graceful stop. Each accepted connection is an AgiSession; nothing a peer does
// on its socket can throw out of here.
import net from 'node:net';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createAllowList } from './allow.ts';
import { dingDongIsPatched } from './ding-dong.ts';
import type { Routes } from './router.ts';
import { createRefusalLog } from './refusal-log.ts';
import { AgiSession, type SessionEnd } from './session.ts';

export type { AgiScript, Routes } from './router.ts';

export interface FastAgiServerOptions {
  config: Config['fastagi'];
  logger: Logger;
  scripts: Routes;
  /** Told when each session ends (metrics). */
  onSessionEnd?: (end: SessionEnd) => void;
  /** Refused connections are summed up in one log line per kind per interval. Default 10000. */
  refusalLogIntervalMs?: number;
}

export interface FastAgiServer {
  /** Starts listening on config.host:config.port (port 0: any free port). */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, lets running sessions finish within config.shutdownGraceMs, then cuts them. */
  close(): Promise<void>;
  activeSessions(): number;
}

/** After cutting sessions at shutdown, how long their scripts get to notice before close() returns. */
const CUT_WAIT_MS = 1000;

export function createFastAgiServer({ config, logger: log, scripts, onSessionEnd, refusalLogIntervalMs = 10_000 }: FastAgiServerOptions): FastAgiServer {
  if (!dingDongIsPatched()) {
    throw new Error('ding-dong is not patched: run `npm install` (postinstall applies patches/ding-dong+0.1.7.patch)');
  }
  const allowed = createAllowList(config.allow); // a bad entry stops start-up with a ConfigError

  const sessions = new Set<AgiSession>();
  const perAddress = new Map<string, number>();
  const refusals = createRefusalLog(log, refusalLogIntervalMs);
  let closing = false;

  // A refused socket can still be reset by its peer: an error listener, or the error would end the process.
  // (An accepted one gets the session's own; one listener per socket, not two, issue 15.)
  const refuse = (socket: net.Socket) => {
    socket.on('error', () => {});
    socket.destroy();
  };
  const server = net.createServer({ noDelay: true }, (socket) => {
    const remote = socket.remoteAddress ?? '';
    if (closing) {
      refuse(socket);
      return;
    }
    if (!allowed(remote)) {
      refusals.note('address not allowed', remote);
      refuse(socket);
      return;
    }
    if (sessions.size >= config.maxSessions) {
      refusals.note('too many sessions', remote, { active: sessions.size, maxSessions: config.maxSessions });
      refuse(socket);
      return;
    }
    // One address (a misbehaving client, or one of several PBXs) cannot take every slot.
    const fromHere = perAddress.get(remote) ?? 0;
    if (fromHere >= config.maxSessionsPerAddress) {
      refusals.note('too many sessions from one address', remote, { active: fromHere, maxSessionsPerAddress: config.maxSessionsPerAddress });
      refuse(socket);
      return;
    }
    const session = new AgiSession(socket, { config, log, scripts, ...(onSessionEnd ? { onEnd: onSessionEnd } : {}) });
    sessions.add(session);
    perAddress.set(remote, fromHere + 1);
    void session.done.then(() => {
      sessions.delete(session);
      const left = (perAddress.get(remote) ?? 1) - 1;
      if (left > 0) perAddress.set(remote, left);
      else perAddress.delete(remote);
    });
  });
  server.on('error', (err) => log.error({ err }, 'FastAGI server error'));

  const allDone = () => Promise.all([...sessions].map((s) => s.done)).then(() => true);
  const after = (ms: number) => new Promise<false>((resolve) => setTimeout(() => resolve(false), ms).unref());

  return {
    listen() {
      return new Promise((resolve, reject) => {
        const failed = (err: Error) => reject(err);
        server.once('error', failed);
        server.listen(config.port, config.host, () => {
          server.off('error', failed);
          resolve({ port: (server.address() as net.AddressInfo).port });
        });
      });
    },

    async close() {
      if (closing) return;
      closing = true;
      server.close();
      refusals.flush();
      if (sessions.size === 0) return;
      log.info({ active: sessions.size, graceMs: config.shutdownGraceMs }, 'FastAGI stopping: waiting for running sessions');
      if (await Promise.race([allDone(), after(config.shutdownGraceMs)])) return;
      log.warn({ active: sessions.size }, 'FastAGI stopping: cutting sessions still running after the grace period');
      for (const s of sessions) s.cut();
      if (!(await Promise.race([allDone(), after(CUT_WAIT_MS)]))) {
        log.warn({ active: sessions.size }, 'FastAGI stopped with scripts still running');
      }
    },

    activeSessions: () => sessions.size,
  };
}
