// (a) The floor of the protocol: the toggle's AGI dialogue with no AMI and no
// Redis. The outcome comes from agi_arg_1 (the load generator's expectation),
// so the dialogue is the toggle's, command for command: its four variables in
// one EXEC MSet, then STREAM FILE agent-loginok + SAY DIGITS, or STREAM FILE
// agent-loggedoff.
//
//   floor-dingdong.ts dingdong   a bare ding-dong script (the patched package's
//                                own server and Context, which hand over lines,
//                                and the least reading of them; nothing of agentgate)
//   floor-dingdong.ts agentgate  the same dialogue through agentgate's FastAGI
//                                layer (server, session, channel), to split
//                                the cost of b into protocol layer and work
import { createFastAgiServer } from '../../../lib/agi/server.ts';
import type { AgiChannel } from '../../../lib/agi/channel.ts';
import { loadConfig } from '../../../lib/config.ts';
import { createLogger } from '../../../lib/log.ts';
import { exitIfPriming, serve } from '../support/child.ts';
import { startDingDong, type DingDongContext } from '../support/ding-dong-server.ts';
import { statsHandlers } from '../support/self-stats.ts';

exitIfPriming();

// The patched Context hands over each line; this is the least a script can do
// with them: the environment up to its empty line (values after the first ': '),
// then one reply line per command, HANGUP notices skipped.
function bare(context: DingDongContext): { env: Promise<Record<string, string>>; send(command: string): Promise<string> } {
  const env: Record<string, string> = {};
  let envDone: ((env: Record<string, string>) => void) | undefined;
  let reply: ((line: string) => void) | undefined;
  context.on('line', (line) => {
    if (envDone) {
      if (line === '') {
        envDone(env);
        envDone = undefined;
      } else {
        const at = line.indexOf(': ');
        if (at > 0) env[line.slice(0, at)] = line.slice(at + 2);
      }
    } else if (line !== 'HANGUP' && line !== '') {
      reply?.(line);
    }
  });
  return {
    env: new Promise((resolve) => {
      envDone = resolve;
    }),
    send(command) {
      return new Promise((resolve) => {
        reply = resolve;
        context.stream.write(`${command}\n`);
      });
    },
  };
}

function outcome(env: Record<string, string>): { want: string; number: string; queues: string } {
  const want = env.agi_arg_1 === 'LOGGEDIN' ? 'LOGGEDIN' : 'LOGGEDOUT';
  const queue = /[?&]queue=([^&]*)/.exec(env.agi_network_script ?? '')?.[1] ?? '';
  return { want, number: env.agi_callerid ?? '', queues: want === 'LOGGEDIN' ? queue : '' };
}

async function dingDongToggle(context: DingDongContext): Promise<void> {
  const agi = bare(context);
  // Every argument quoted, as agentgate writes them: the floor holds b's very dialogue.
  const run = (command: string, ...args: string[]) => agi.send([command, ...args.map((a) => `"${a}"`)].join(' '));
  const { want, number, queues } = outcome(await agi.env);
  await run('EXEC', 'MSet', `AGENTGATE_RESULT=${want},QUEUESTAT=${want},AGENTGATE_NUMBER=${number},AGENTGATE_QUEUES=${queues.replaceAll(',', '\\\\,')}`);
  if (want === 'LOGGEDIN') {
    await run('STREAM FILE', 'agent-loginok', '');
    await run('SAY DIGITS', number, '');
  } else {
    await run('STREAM FILE', 'agent-loggedoff', '');
  }
  await context.end();
}

async function agentgateToggle(ch: AgiChannel): Promise<void> {
  const { want, number, queues } = outcome(ch.request.env);
  await ch.setVariables({ AGENTGATE_RESULT: want, QUEUESTAT: want, AGENTGATE_NUMBER: number, AGENTGATE_QUEUES: queues });
  if (want === 'LOGGEDIN') {
    await ch.streamFile('agent-loginok');
    await ch.sayDigits(number);
  } else {
    await ch.streamFile('agent-loggedoff');
  }
}

async function startAgentgateLayer(): Promise<{ port: number; close: () => Promise<void> }> {
  const config = loadConfig({ ...process.env, FASTAGI_PORT: '0' });
  const server = createFastAgiServer({
    config: config.fastagi,
    logger: createLogger(config.logLevel).child({ part: 'fastagi' }),
    scripts: { 'queue-toggle': agentgateToggle },
  });
  const { port } = await server.listen();
  return { port, close: () => server.close() };
}

const layer = process.argv[2] ?? 'dingdong';
const target = layer === 'agentgate'
  ? await startAgentgateLayer()
  : await startDingDong(dingDongToggle).then(({ port, server }) => ({ port, close: () => server.close() }));
serve({ ...statsHandlers, stop: () => target.close() }, { port: target.port, layer });
