// The floor of the real-Asterisk phase: a FastAGI server that answers nothing.
// A bare ding-dong server (the patched package, as the other floors use it)
// reads the environment Asterisk sends and closes the session at once: what a
// call costs Asterisk when a FastAGI script does no work at all. In a process
// of its own, so its CPU is its own.
import { serve } from '../support/child.ts';
import { startDingDong, type DingDongContext } from '../support/ding-dong-server.ts';
import { statsHandlers } from '../support/self-stats.ts';

let sessions = 0;
const handler = (context: DingDongContext) => {
  let ended = false;
  context.on('line', (line) => {
    // The environment ends with an empty line: then close, having sent nothing.
    if (line !== '' || ended) return;
    ended = true;
    sessions += 1;
    context.end();
  });
};

const { port, server } = await startDingDong(handler);
serve({ ...statsHandlers, sessions: () => sessions, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) }, { port });
