// (c) Process per call: what Asterisk does for AGI(script) (not agi://), so the
// same load generator can drive it. Each FastAGI connection spawns the classic
// script with the connection on its stdin and stdout; when the script exits,
// the connection closes, as the AGI ends when the process does.
//
// The bridge stands in for Asterisk's fork/exec. What the runner counts as the
// cost of (c) is the scripts' own CPU (reaped children: their exec, interpreter
// start-up and dialogue) and the memory of the scripts alive at once, sampled.
//
//   spawn-bridge.ts perl|node
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../support/child.ts';
import { childrenCpuMs, privateRssBytes, rssBytes } from '../support/procfs.ts';
import { statsHandlers } from '../support/self-stats.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const kind = process.argv[2] === 'node' ? 'node' : 'perl';
const [command, script] = kind === 'node'
  ? [process.execPath, path.join(here, 'classic', 'toggle.mjs')]
  : ['perl', path.join(here, 'classic', 'toggle.pl')];

const live = new Set<number>();
let spawned = 0;
let spawnErrors = 0;
let peakChildrenRss = 0;
let peakChildrenPrivateRss = 0;
let peakLive = 0;
let sampler: NodeJS.Timeout | undefined;

const server = net.createServer((socket) => {
  socket.on('error', () => undefined);
  const child = spawn(command, [script], { stdio: ['pipe', 'pipe', 'ignore'] });
  spawned += 1;
  const pid = child.pid;
  if (pid !== undefined) {
    live.add(pid);
    peakLive = Math.max(peakLive, live.size);
  }
  child.on('error', () => {
    spawnErrors += 1;
    socket.destroy();
  });
  child.stdin.on('error', () => undefined); // Asterisk's HANGUP after the script exited
  socket.pipe(child.stdin);
  child.stdout.pipe(socket);
  child.on('exit', () => {
    if (pid !== undefined) live.delete(pid);
  });
  socket.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
});

function sample(): void {
  let sum = 0;
  let priv = 0;
  for (const pid of live) {
    sum += rssBytes(pid) ?? 0;
    priv += privateRssBytes(pid) ?? 0;
  }
  peakChildrenRss = Math.max(peakChildrenRss, sum);
  peakChildrenPrivateRss = Math.max(peakChildrenPrivateRss, priv);
}

await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

serve(
  {
    ...statsHandlers,
    /** The scripts' cost: CPU of the reaped children, peak of their summed RSS while sampling. */
    childStats: () => ({ childrenCpuMs: childrenCpuMs(), spawned, spawnErrors, peakChildrenRss, peakChildrenPrivateRss, peakLive, live: live.size }),
    /** Starts sampling the live scripts' RSS every 10 ms, from zero. */
    sampleStart: () => {
      peakChildrenRss = 0;
      peakChildrenPrivateRss = 0;
      peakLive = live.size;
      clearInterval(sampler);
      sampler = setInterval(sample, 10);
    },
    sampleStop: () => clearInterval(sampler),
    stop: () => server.close(),
  },
  { port: (server.address() as net.AddressInfo).port, kind },
);
