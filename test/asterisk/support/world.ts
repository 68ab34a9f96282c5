// One test file's world: a private Asterisk with the FreePBX-shaped fixture and
// the shipped dialplan, the service started through its public entry
// (startApp with a loadConfig'd environment) and logged in over AMI with the
// shipped manager user, Redis under the file's own prefix, and the test's admin
// AMI connection that places calls and watches what Asterisk does.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { inject } from 'vitest';
import { startApp, type App } from '../../../lib/app.ts';
import { loadConfig } from '../../../lib/config.ts';
import { testRedis, type TestRedis } from '../../support/redis.ts';
import { AdminAmi, type AmiMessage } from './admin-ami.ts';
import { freePort, killOwnAsteriskNow, removeDir, startAsterisk, type RunningAsterisk } from './asterisk.ts';
import { findInstall, type AsteriskInstall } from './binary.ts';
import { ADMIN_USER, REPO, SHIPPED } from './fixture.ts';
import { compareText } from '../../../lib/compare-text.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Parent of every world's temp dir in this run; the global teardown sweeps it. */
    asteriskRunRoot: string;
  }
}

const CLI = path.join(REPO, 'lib/cli/main.ts');

/** The `[agentgate]` section of the shipped manager_custom.conf: its user name and secret. */
export function shippedAmiUser(): { username: string; secret: string; read: string; write: string } {
  const text = readFileSync(SHIPPED.manager, 'utf8');
  const section = /^\[([^\]]+)\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text);
  if (!section) throw new Error(`no [user] section in ${SHIPPED.manager}`);
  const get = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*(.*?)\\s*$`, 'm').exec(section[2]!)?.[1] ?? '';
  return { username: section[1]!, secret: get('secret'), read: get('read'), write: get('write') };
}

export interface CallSpec {
  /** The call enters the dialplan at <exten>@<context> (Originate Channel=Local/<exten>@<context>). */
  context: string;
  exten: string;
  /** Caller ID number, as the phone or the network presents it. */
  from: string;
  name?: string;
  /** Digits keyed in turn, each time the far side asks for some (AGI GET DATA, Authenticate). A `#` ends an entry. */
  keys?: string[];
  /** Channel variables of the calling side; the called Local half inherits them. */
  vars?: Record<string, string>;
  /** The caller hangs up as soon as it is played this (an entry of `heard`), as people do once they heard enough. */
  hangupOn?: string;
  timeoutMs?: number;
}

export interface QueueCallResult {
  /** Queue and member events while the call lasted (AgentCalled, AgentConnect, AgentRingNoAnswer, QueueCaller*, ...). */
  events: AmiMessage[];
  /** Numbers the far-end phones were rung at (the fixture's AgtestRing user events), in order. */
  rang: string[];
  /** Numbers that answered. */
  answered: string[];
}

export interface CallResult {
  /** The called side's channel variables as they ended (from VarSet events). */
  vars: Record<string, string>;
  /** AGI commands the service sent, as Asterisk reports them (AGIExecStart). */
  agi: string[];
  /** The AGI() URLs the dialplan ran. */
  scripts: string[];
  /** Dialplan steps the called side ran: `context,exten: App(data)`. */
  steps: string[];
  /** What the caller was played, in order: AGI prompts and dialplan Playback/Authenticate. SAY DIGITS as `digits:<n>`. */
  heard: string[];
  /** Entries the caller keyed. */
  keyed: string[];
  /** Contexts the called side passed through. */
  contexts: string[];
}

export interface Member {
  queue: string;
  interface: string;
  name: string;
  membership: string;
  penalty: number;
  paused: boolean;
  reason: string;
  stateInterface: string;
  /** Asterisk's device state of the member: 1 not in use, 2 in use, 5 unavailable, ... */
  status: number;
}

export interface World {
  install: AsteriskInstall;
  ast: RunningAsterisk;
  /** The test's own AMI connection (full rights). */
  ami: AdminAmi;
  app: App;
  redis: TestRedis;
  amiUser: ReturnType<typeof shippedAmiUser>;
  call(spec: CallSpec): Promise<CallResult>;
  /**
   * A customer calls the queue (FreePBX's ext-queues) from `from`; the call
   * lasts until `until` accepts the events seen so far (or `timeoutMs`), then
   * the customer hangs up.
   */
  queueCall(queue: string, o: { from?: string; until: (r: QueueCallResult) => boolean; timeoutMs?: number }): Promise<QueueCallResult>;
  /** Asterisk's own view (QueueStatus). */
  members(queue?: string): Promise<Member[]>;
  /** Polls QueueStatus until `ok` accepts the members (of `queue`), or fails after `timeoutMs`. */
  waitMembers(queue: string, ok: (members: Member[]) => boolean, timeoutMs?: number): Promise<Member[]>;
  /** `agentgate ...` as an administrator runs it, with the service's environment. */
  cli(args: string[], o?: { pin?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** How the far end of a number behaves when the queue rings it. */
  phone(number: string, mode: 'answer' | 'busy' | 'noanswer', o?: { holdSec?: number; dtmf?: string }): Promise<void>;
  /** Cuts the service's AMI link (the service sees Asterisk go away) until restore(). */
  cutServiceAmi(): Promise<{ restore(): Promise<void> }>;
  /** Waits until the service is logged in to Asterisk with the shipped user. */
  serviceLoggedIn(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// The service's AMI goes through this loopback relay, so a test can take
// Asterisk away from the service without taking it away from the calls.
async function amiRelay(target: number): Promise<{ port: number; cut(): void; restore(): void; close(): void }> {
  let down = false;
  const open = new Set<net.Socket>();
  const srv = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => srv.listen(port, '127.0.0.1', resolve));
  return {
    port,
    cut() {
      down = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      down = false;
    },
    close() {
      for (const s of open) s.destroy();
      srv.close();
    },
  };
}

// ExecIf(<cond>?<app>(<args>)[:<app>(<args>)]) as Newexten reports it (the
// condition already evaluated): the application that runs, or undefined.
function execIfBranch(data: string): { app: string; args: string } | undefined {
  const q = data.indexOf('?');
  if (q < 0) return undefined;
  const cond = data.slice(0, q).trim();
  const rest = data.slice(q + 1);
  let depth = 0;
  let split = -1;
  for (let i = 0; i < rest.length && split < 0; i++) {
    if (rest[i] === '(') depth++;
    else if (rest[i] === ')') depth--;
    else if (rest[i] === ':' && depth === 0) split = i;
  }
  const branch = cond !== '' && cond !== '0' ? (split < 0 ? rest : rest.slice(0, split)) : split < 0 ? '' : rest.slice(split + 1);
  const m = /^\s*(\w+)\((.*)\)\s*$/.exec(branch);
  return m ? { app: m[1]!, args: m[2]! } : undefined;
}

// VarSet carries the value through ast_escape_c_alloc() (main/stasis_channels.c): `"` as `\"`, `\` as `\\`, LF as `\n`...
const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
function unescapeC(value: string): string {
  return value.replace(/\\(.)/gs, (_, c: string) => C_ESCAPES[c] ?? c);
}

function parseCommand(cmd: string): { verb: string; args: string[] } {
  const verbs = ['STREAM FILE', 'GET DATA', 'SAY DIGITS', 'SET VARIABLE', 'GET VARIABLE', 'GET FULL VARIABLE', 'EXEC', 'ANSWER', 'HANGUP', 'VERBOSE'];
  const verb = verbs.find((v) => cmd === v || cmd.startsWith(`${v} `)) ?? cmd.split(' ')[0]!;
  const rest = cmd.slice(verb.length).trim();
  const args = [...rest.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  return { verb, args };
}

export async function startWorld(opts: { env?: Record<string, string>; sounds?: 'freepbx' | 'installed' } = {}): Promise<World> {
  const install = findInstall();
  if (!install) throw new Error('no asterisk binary (set ASTERISK_BIN or put asterisk on PATH)');
  const root = inject('asteriskRunRoot') ?? os.tmpdir();
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'w-'));
  const cleanups: (() => Promise<void> | void)[] = [];
  const undo = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const redis = await testRedis();
    cleanups.push(() => redis.cleanup());
    const amiUser = shippedAmiUser();
    // Plain members unless a test asks (mobile-confirm.asterisk.ts); the CLI adds members as the service does.
    const memberEnv: Record<string, string> = { CONFIRM_ANSWER: 'off', MOBILE_RING_IN_USE: 'yes', DESK_STATE_INTERFACE: 'off' };
    for (const k of Object.keys(memberEnv)) if (opts.env?.[k] !== undefined) memberEnv[k] = opts.env[k]!;
    const amiPort = await freePort();
    const agiPort = await freePort();
    const relay = await amiRelay(amiPort);
    cleanups.push(() => relay.close());
    // Asterisk first, so the service's first AMI login finds it.
    const adminSecret = randomBytes(12).toString('hex');
    // A worker that dies without its afterAll still takes its Asterisk along.
    const onExit = () => killOwnAsteriskNow(dir);
    process.once('exit', onExit);
    cleanups.push(() => void process.off('exit', onExit));
    const ast = await startAsterisk(install, { dir, amiPort, agentgate: `127.0.0.1:${agiPort}`, adminSecret, sounds: opts.sounds });
    cleanups.push(() => ast.stop());
    const config = loadConfig({
      FASTAGI_HOST: '127.0.0.1',
      FASTAGI_PORT: String(agiPort),
      AMI_HOST: '127.0.0.1',
      AMI_PORT: String(relay.port),
      AMI_USERNAME: amiUser.username,
      AMI_SECRET: amiUser.secret,
      AMI_ACTION_TIMEOUT_MS: '3000',
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      TOGGLE_RATE_LIMIT: '1000',
      SHUTDOWN_GRACE_MS: '500',
      LOG_LEVEL: 'debug',
      ...memberEnv,
      ...opts.env,
    });
    const logger = pino({ level: 'debug' }, pino.destination({ dest: path.join(dir, 'agentgate.log'), sync: true }));
    const app = await startApp(config, logger);
    cleanups.push(() => app.stop());
    const ami = await AdminAmi.connect(amiPort, ADMIN_USER, adminSecret);
    cleanups.push(() => ami.close());

    const serviceLoggedIn = async (timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await ami.command('manager show connected')).split('\n').some((l) => l.trim().split(/\s+/)[0] === amiUser.username)) {
        if (Date.now() > deadline) throw new Error(`the service did not log in to AMI as ${amiUser.username} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // Its first re-sync runs right after the login; give it a moment to finish.
      await new Promise((r) => setTimeout(r, 200));
    };
    await serviceLoggedIn();

    const members = async (queue?: string): Promise<Member[]> => {
      const r = await ami.action(queue ? { Action: 'QueueStatus', Queue: queue } : { Action: 'QueueStatus' });
      const list = r.events.filter((e) => e.Event === 'QueueMember').map((e) => ({
        queue: e.Queue!, interface: e.Location!, name: e.Name!, membership: e.Membership!, penalty: Number(e.Penalty),
        paused: e.Paused === '1', reason: e.PausedReason ?? '', stateInterface: e.StateInterface ?? '', status: Number(e.Status),
      }));
      // Asterisk lists queues in its hash order; sort for stable comparisons.
      return list.sort((a, b) => compareText(a.queue, b.queue) || compareText(a.interface, b.interface));
    };

    const waitMembers = async (queue: string, ok: (m: Member[]) => boolean, timeoutMs = 5000): Promise<Member[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await members(queue);
        if (ok(now)) return now;
        if (Date.now() > deadline) throw new Error(`members of ${queue} not as expected within ${timeoutMs} ms: ${JSON.stringify(now)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const call = async (spec: CallSpec): Promise<CallResult> => {
      const id = `agtest-${randomUUID().slice(0, 12)}`;
      const caller = `${id}-1`;
      const called = `${id}-2`;
      const keys = [...(spec.keys ?? [])];
      const res: CallResult = { vars: {}, agi: [], scripts: [], steps: [], heard: [], keyed: [], contexts: [] };
      let callerChannel: string | undefined;
      const ended = new Set<string>();
      let finish!: () => void;
      let fail!: (e: Error) => void;
      const done = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      const hangUpIfDone = (item: string) => {
        if (spec.hangupOn === item && callerChannel) ami.action({ Action: 'Hangup', Channel: callerChannel }).catch(() => undefined);
      };
      const key = () => {
        const k = keys.shift();
        if (k === undefined || !callerChannel) return;
        res.keyed.push(k);
        ami.action({ Action: 'Redirect', Channel: callerChannel, Context: 'agtest-caller', Exten: `k${k}`, Priority: '1' }).catch(() => undefined);
      };
      const onEvent = (e: AmiMessage) => {
        if (e.Uniqueid === caller) {
          if (e.Event === 'Newchannel') callerChannel = e.Channel;
        }
        if (e.Uniqueid !== called && e.Uniqueid !== caller) return;
        if (e.Event === 'Hangup') {
          ended.add(e.Uniqueid);
          if (ended.has(called) && ended.has(caller)) finish();
          return;
        }
        if (e.Uniqueid !== called) return;
        switch (e.Event) {
          case 'VarSet':
            res.vars[e.Variable!] = unescapeC(e.Value ?? '');
            break;
          case 'Newexten': {
            res.steps.push(`${e.Context},${e.Extension}: ${e.Application}(${e.AppData ?? ''})`);
            if (res.contexts.at(-1) !== e.Context) res.contexts.push(e.Context!);
            if (e.Application === 'AGI') res.scripts.push(e.AppData ?? '');
            const run = e.Application === 'ExecIf' ? execIfBranch(e.AppData ?? '') : { app: e.Application!, args: e.AppData ?? '' };
            if (run?.app === 'Playback') res.heard.push(...run.args.split(',')[0]!.split('&'));
            if (e.Application === 'Authenticate') {
              res.heard.push('agent-pass');
              key();
            }
            break;
          }
          case 'AGIExecStart': {
            const cmd = e.Command ?? '';
            res.agi.push(cmd);
            const { verb, args } = parseCommand(cmd);
            if (verb === 'STREAM FILE' || verb === 'GET DATA') res.heard.push(args[0]!);
            if (verb === 'SAY DIGITS') res.heard.push(`digits:${args[0]}`);
            if (verb === 'STREAM FILE' || verb === 'SAY DIGITS') hangUpIfDone(res.heard.at(-1)!);
            if (verb === 'GET DATA') key();
            break;
          }
        }
      };
      ami.on('event', onEvent);
      const timeoutMs = spec.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        // Say what Asterisk was doing: the channels it still has, and this call's part of its log.
        void ast.cli('core show channels concise').then((channels) => fail(new Error(
          `call to ${spec.exten}@${spec.context} from ${spec.from} did not end within ${timeoutMs} ms\n` +
          (ast.alive() ? '' : `ASTERISK IS GONE (crashed? see dmesg and ${path.join(dir, 'log', 'full')})\n`) +
          `steps: ${res.steps.join(' | ')}\nagi: ${res.agi.join(' | ')}\nkeyed: ${res.keyed.join(' ')} (caller channel ${callerChannel ?? 'unknown'})\n` +
          `channels:\n${channels}\nagentgate log: ${path.join(dir, 'agentgate.log')}`)));
      }, timeoutMs);
      try {
        const vars = Object.entries(spec.vars ?? {}).map(([k, v]) => `${k}=${v}`);
        const r = await ami.action({
          Action: 'Originate',
          Channel: `Local/${spec.exten}@${spec.context}`,
          Context: 'agtest-caller',
          Exten: 's',
          Priority: '1',
          CallerID: `"${spec.name ?? ''}" <${spec.from}>`,
          ChannelId: caller,
          OtherChannelId: called,
          Timeout: '20000',
          Async: 'true',
          ...(vars.length ? { Variable: vars } : {}),
        });
        if (r.response.Response !== 'Success') throw new Error(`Originate refused: ${r.response.Message}`);
        await done;
        return res;
      } finally {
        clearTimeout(timer);
        ami.off('event', onEvent);
      }
    };

    const queueCall = async (queue: string, o: { from?: string; until: (r: QueueCallResult) => boolean; timeoutMs?: number }): Promise<QueueCallResult> => {
      const id = `agtest-q-${randomUUID().slice(0, 12)}`;
      const res: QueueCallResult = { events: [], rang: [], answered: [] };
      const wanted = /^(Agent|QueueCaller|QueueMemberStatus)/;
      let settle!: () => void;
      const enough = new Promise<void>((resolve) => (settle = resolve));
      let customer: string | undefined;
      const onEvent = (e: AmiMessage) => {
        if (e.Event === 'Newchannel' && e.Uniqueid === `${id}-1`) customer = e.Channel;
        if (e.Event === 'UserEvent' && e.UserEvent === 'AgtestRing') res.rang.push(e.Number!);
        else if (e.Event === 'UserEvent' && e.UserEvent === 'AgtestAnswer') res.answered.push(e.Number!);
        else if (wanted.test(e.Event ?? '')) res.events.push(e);
        else return;
        if (o.until(res)) settle();
      };
      ami.on('event', onEvent);
      const gone = ami.waitEvent((e) => e.Event === 'Hangup' && e.Uniqueid === `${id}-2`, 'the queue caller hanging up', 90_000);
      gone.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      try {
        const r = await ami.action({
          Action: 'Originate', Channel: `Local/${queue}@ext-queues`, Context: 'agtest-caller', Exten: 's', Priority: '1',
          CallerID: `"Customer" <${o.from ?? '74950000000'}>`, ChannelId: `${id}-1`, OtherChannelId: `${id}-2`, Timeout: '20000', Async: 'true',
        });
        if (r.response.Response !== 'Success') throw new Error(`Originate refused: ${r.response.Message}`);
        await Promise.race([enough, new Promise<void>((resolve) => (timer = setTimeout(resolve, o.timeoutMs ?? 30_000)))]);
        return res;
      } finally {
        clearTimeout(timer);
        ami.off('event', onEvent);
        if (customer) await ami.action({ Action: 'Hangup', Channel: customer }).catch(() => undefined);
        await gone.catch(() => undefined);
      }
    };

    const cli = (args: string[], o: { pin?: string } = {}) => {
      const env = {
        ...process.env, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, AMI_HOST: '127.0.0.1', AMI_PORT: String(amiPort),
        AMI_USERNAME: amiUser.username, AMI_SECRET: amiUser.secret, AGENTGATE_PIN: o.pin ?? '', LOG_LEVEL: 'warn', ...memberEnv,
      };
      return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        });
        child.stdin?.end();
      });
    };

    const phone = async (number: string, mode: 'answer' | 'busy' | 'noanswer', o: { holdSec?: number; dtmf?: string } = {}) => {
      await ami.setGlobal(`AGTEST_PHONE_${number}`, mode);
      await ami.setGlobal(`AGTEST_HOLD_${number}`, o.holdSec === undefined ? '' : String(o.holdSec));
      await ami.setGlobal(`AGTEST_DTMF_${number}`, o.dtmf ?? '');
    };

    return {
      install, ast, ami, app, redis, amiUser, call, queueCall, members, waitMembers, cli, phone, serviceLoggedIn,
      async cutServiceAmi() {
        relay.cut();
        await new Promise((r) => setTimeout(r, 300));
        return {
          async restore() {
            relay.restore();
            await serviceLoggedIn(20_000);
          },
        };
      },
      async stop() {
        await undo();
        if (!process.env.ASTERISK_TEST_KEEP) removeDir(dir);
        else process.stdout.write(`kept ${dir}\n`);
      },
    };
  } catch (err) {
    await undo();
    if (!process.env.ASTERISK_TEST_KEEP) removeDir(dir);
    throw err;
  }
}
