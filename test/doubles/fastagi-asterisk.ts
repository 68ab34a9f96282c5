// Asterisk's side of a FastAGI session, played against a server port the way
// the recordings in shared/asterisk show it (agi-session.log, agi-pin-entry.log,
// agi-caller-hangup.log, agi-hostile-env.log):
// - the environment in Asterisk's order, values unescaped (a CR LF in a caller
//   name goes on the wire as is), in one read, two reads or one line per read;
// - commands read with Asterisk's own argument parser (parse_args in res_agi.c);
// - a small channel: variables, Playback/STREAM FILE/SAY DIGITS/GET DATA/Read,
//   EXEC, DATABASE; anything else is `510 Invalid or unknown command`;
// - a caller hangup at a chosen command: that command gets result=-1, a HANGUP
//   line comes before the next reply, media commands get 511 while variables and
//   EXEC still work;
// - HANGUP again when the server closes the socket.
import net from 'node:net';

export interface FastAgiCallOptions {
  /** agi_network_script: 'queue-toggle?queue=8008' */
  script: string;
  host?: string;
  /** The address the call comes from (another loopback address: 127.0.0.2). */
  localAddress?: string;
  /** Default '79112223344'. Sent raw: CR LF here forges environment lines, as with a real Asterisk. */
  callerId?: string;
  /** Default 'unknown'. Sent raw. */
  callerIdName?: string;
  channel?: string;
  uniqueid?: string;
  context?: string;
  extension?: string;
  /** agi_arg_1..N */
  args?: string[];
  /** Extra or replaced environment lines, keys as sent (`agi_dnid`). */
  env?: Record<string, string>;
  /** Channel variables that exist before the AGI runs (the dialplan's Set()). */
  channelVariables?: Record<string, string>;
  /** What the caller keys at each GET DATA or EXEC Read, in order: digits ('7001'), or '' for a timeout. Missing: timeout. */
  dtmf?: string[];
  /** endpos STREAM FILE reports. Default 11680 (agi-session.log). */
  streamEndpos?: number;
  /** The caller hangs up during this command: a 1-based command number, or the first line matching. */
  hangupAt?: { command: RegExp | number };
  splitEnv?: 'two-reads' | 'per-line';
  /** Write every reply in two TCP segments, cut mid-line. */
  splitReplies?: boolean;
  /** Send this instead of the environment (garbage tests). */
  rawEnv?: string;
  /** 520 in the multi-line form of builds with XML docs (`520-...`, usage, `520 End of proper usage.`). */
  multiLineUsage?: boolean;
  /** Wait this long before each reply. */
  replyDelayMs?: number;
  /** Never answer commands matching this (command timeout tests). */
  noReplyTo?: RegExp;
  /** Applications this Asterisk lacks, of those the double has ('MSet': older than 13.8). */
  missingApps?: string[];
  /** Fail `done` if the session has not ended by then. Default 5000. */
  timeoutMs?: number;
}

export interface FastAgiCall {
  /** Every line the server wrote, without its LF. */
  sent: string[];
  /** Variables the server set (SET VARIABLE, EXEC Set). */
  variables: Record<string, string>;
  /** Files played to a live caller: EXEC Playback and STREAM FILE. */
  played: string[];
  /** SAY DIGITS to a live caller. */
  said: string[];
  /** GET DATA and EXEC Read prompt files. */
  prompts: string[];
  /** The astdb as DATABASE PUT/DEL left it, keys `family/key`. */
  database: Record<string, string>;
  execs: { app: string; arg: string }[];
  verbose: string[];
  /** The server closed the socket (Asterisk then sent HANGUP). */
  closedByServer: boolean;
  /** The caller had hung up by the end. */
  hungUp: boolean;
  /** A socket error seen by the double (ECONNRESET when the server cut the call). */
  error?: string;
}

export interface FastAgiCallHandle {
  /** The record so far (live). */
  readonly call: FastAgiCall;
  /** Settles when the socket is closed; rejects after timeoutMs. */
  readonly done: Promise<FastAgiCall>;
  /** Resolves with the first command line (already sent or to come) matching `pattern`. */
  waitForCommand(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The caller hangs up now: HANGUP is sent at once, the channel is dead from here on. */
  hangup(): void;
  /** Asterisk closes the socket now, without answering what is pending. */
  close(): void;
  /** Writes raw bytes to the server. */
  write(data: string | Uint8Array): void;
}

/** Runs a whole call and resolves when the server has closed it. */
export function callFastAgi(port: number, options: FastAgiCallOptions): Promise<FastAgiCall> {
  return openFastAgiCall(port, options).done;
}

/**
 * Asterisk's parse_args() (res_agi.c): words split on spaces and tabs outside
 * double quotes; a backslash makes the next character literal.
 */
export function parseAgiArgs(line: string): string[] {
  const argv: string[] = [];
  let cur: string | undefined;
  let quoted = false;
  let escaped = false;
  for (const ch of line) {
    if (ch === '"' && !escaped) {
      quoted = !quoted;
      if (quoted && cur === undefined) cur = '';
      continue;
    }
    if ((ch === ' ' || ch === '\t') && !quoted && !escaped) {
      if (cur !== undefined) argv.push(cur);
      cur = undefined;
      continue;
    }
    if (ch === '\\' && !escaped) {
      escaped = true;
      continue;
    }
    cur = (cur ?? '') + ch;
    escaped = false;
  }
  if (cur !== undefined) argv.push(cur);
  return argv;
}

/**
 * Asterisk's __ast_app_separate_args() with remove_chars (main/app.c), as
 * AST_STANDARD_APP_ARGS and AST_NONSTANDARD_APP_ARGS call it: split on `delim`
 * outside parentheses, square brackets and double quotes, dropping the quotes
 * and taking a backslash to make the next character literal; past `max - 1`
 * parts, the rest is the last one, as it stands.
 */
export function separateAppArgs(data: string, delim: string, max: number): string[] {
  const parts: string[] = [];
  let i = 0;
  let paren = 0;
  let bracket = 0;
  let quote = false;
  let endedOnDelim = false;
  while (i < data.length && parts.length < max - 1) {
    let cur = '';
    endedOnDelim = false;
    for (; i < data.length; i++) {
      const c = data[i]!;
      if (c === '(') paren++;
      else if (c === ')') paren = Math.max(0, paren - 1);
      else if (c === '[') bracket++;
      else if (c === ']') bracket = Math.max(0, bracket - 1);
      else if (c === '"' && delim !== '"') {
        quote = !quote;
        continue;
      } else if (c === '\\') {
        i++;
        if (i < data.length) cur += data[i];
        continue;
      } else if (c === delim && !paren && !quote && !bracket) {
        i++;
        endedOnDelim = true;
        break;
      }
      cur += c;
    }
    parts.push(cur);
  }
  if (i < data.length || endedOnDelim) parts.push(data.slice(i));
  return parts;
}

const USAGE_ONE_LINE = '520 Invalid command syntax.  Proper usage not available.';
const DEAD = '511 Command Not Permitted on a dead channel or intercept routine';
const KNOWN_APPS = new Set(['playback', 'set', 'mset', 'noop', 'wait', 'userevent', 'queuelog', 'verbose', 'log', 'read', 'background']);
let uniqueCounter = 0;

function environment(port: number, o: FastAgiCallOptions): string {
  const lines: [string, string][] = [
    ['agi_network', 'yes'],
    ['agi_network_script', o.script],
    ['agi_request', `agi://127.0.0.1:${port}/${o.script}`],
    ['agi_channel', o.channel ?? 'Local/s@dummy-00000000;1'],
    ['agi_language', 'en'],
    ['agi_type', 'Local'],
    ['agi_uniqueid', o.uniqueid ?? `1795314022.${++uniqueCounter}`],
    ['agi_version', '22.10.1'],
    ['agi_callerid', o.callerId ?? '79112223344'],
    ['agi_calleridname', o.callerIdName ?? 'unknown'],
    ['agi_callingpres', '0'],
    ['agi_callingani2', '0'],
    ['agi_callington', '0'],
    ['agi_callingtns', '0'],
    ['agi_dnid', 'unknown'],
    ['agi_rdnis', 'unknown'],
    ['agi_context', o.context ?? 'ivr-test'],
    ['agi_extension', o.extension ?? 's'],
    ['agi_priority', '3'],
    ['agi_enhanced', '0.0'],
    ['agi_accountcode', ''],
    ['agi_threadid', '140207588394688'],
    ...(o.args ?? []).map((a, i): [string, string] => [`agi_arg_${i + 1}`, a]),
  ];
  for (const [k, v] of Object.entries(o.env ?? {})) {
    const at = lines.findIndex(([key]) => key === k);
    if (at >= 0) lines[at] = [k, v];
    else lines.push([k, v]);
  }
  return lines.map(([k, v]) => `${k}: ${v}\n`).join('') + '\n';
}

export function openFastAgiCall(port: number, options: FastAgiCallOptions): FastAgiCallHandle {
  const o = options;
  const call: FastAgiCall = { sent: [], variables: {}, played: [], said: [], prompts: [], database: {}, execs: [], verbose: [], closedByServer: false, hungUp: false };
  const channelVars: Record<string, string> = { ...o.channelVariables };
  const dtmf = [...(o.dtmf ?? [])];
  let dead = false;
  let noticeDue = false; // HANGUP goes before the next reply
  let commandNo = 0;
  let inbound = '';
  let closed = false;
  let weClosed = false;
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  // Half-open: Asterisk still writes its HANGUP line after the server has closed its side.
  const socket = net.connect({ port, host: o.host ?? '127.0.0.1', allowHalfOpen: true, ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
  socket.setNoDelay(true);
  // Replies go out in order even when some are delayed or split.
  let writes: Promise<void> = Promise.resolve();
  const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const write = (data: string | Uint8Array) => {
    if (!closed && socket.writable) socket.write(data);
  };
  const queueWrite = (text: string) => {
    writes = writes.then(async () => {
      if (o.replyDelayMs) await pause(o.replyDelayMs);
      if (o.splitReplies && text.length > 1) {
        const cut = Math.floor(text.length / 2);
        write(text.slice(0, cut));
        await pause(5);
        write(text.slice(cut));
      } else write(text);
    });
  };

  const lookup = (name: string): string | undefined => {
    if (name in call.variables) return call.variables[name];
    if (name in channelVars) return channelVars[name];
    const builtin: Record<string, string> = {
      CHANNEL: o.channel ?? 'Local/s@dummy-00000000;1',
      'CALLERID(num)': o.callerId ?? '79112223344',
      'CALLERID(name)': o.callerIdName ?? 'unknown',
      CONTEXT: o.context ?? 'ivr-test',
      EXTEN: o.extension ?? 's',
    };
    return builtin[name];
  };
  const setVar = (name: string, value: string) => {
    call.variables[name] = value;
  };
  const usage = (command: string) =>
    o.multiLineUsage
      ? `520-Invalid command syntax.  Proper usage follows:\nUsage: ${command}\n  (usage text of this build)\n520 End of proper usage.`
      : USAGE_ONE_LINE;

  // The reply to one command; `hanging`: the caller hangs up while it runs.
  const answer = (argv: string[], hanging: boolean): string => {
    const w = argv.map((a) => a.toUpperCase());
    const is = (...words: string[]) => words.every((word, i) => w[i] === word);
    const media = (run: () => string, minArgs: number, command: string): string => {
      if (dead) return DEAD;
      if (argv.length < minArgs) return usage(command);
      return hanging ? '200 result=-1' : run();
    };
    if (is('ANSWER')) return media(() => '200 result=0', 1, 'ANSWER');
    if (is('HANGUP')) {
      dead = true;
      noticeDue = true;
      return '200 result=1';
    }
    if (is('VERBOSE')) {
      if (argv.length < 2) return usage('VERBOSE');
      call.verbose.push(argv[1] ?? '');
      return '200 result=1';
    }
    if (is('GET', 'FULL', 'VARIABLE')) {
      if (argv.length < 4) return usage('GET FULL VARIABLE');
      return `200 result=1 (${(argv[3] ?? '').replace(/\$\{([^}]*)\}/g, (_, n: string) => lookup(n) ?? '')})`;
    }
    if (is('GET', 'VARIABLE')) {
      if (argv.length !== 3) return usage('GET VARIABLE');
      const v = lookup(argv[2] ?? '');
      return v === undefined ? '200 result=0' : `200 result=1 (${v})`;
    }
    if (is('SET', 'VARIABLE')) {
      if (argv.length !== 4) return usage('SET VARIABLE');
      setVar(argv[2] ?? '', argv[3] ?? '');
      return '200 result=1';
    }
    if (is('EXEC')) {
      if (argv.length < 2) return usage('EXEC');
      const app = argv[1] ?? '';
      const arg = argv[2] ?? '';
      call.execs.push({ app, arg });
      if (!KNOWN_APPS.has(app.toLowerCase()) || o.missingApps?.some((a) => a.toLowerCase() === app.toLowerCase())) return '200 result=-2';
      // Set and MSet touch no media: they run and return 0 whatever the caller does.
      if (app.toLowerCase() === 'set') {
        const eq = arg.indexOf('=');
        if (eq > 0) setVar(arg.slice(0, eq), arg.slice(eq + 1));
        return '200 result=0';
      }
      if (app.toLowerCase() === 'mset') {
        // pbx_builtin_setvar_multiple(): pairs on ',', then name and value on '=', both with the standard unquoting.
        for (const pair of separateAppArgs(arg, ',', 99)) {
          const [name, value] = separateAppArgs(pair, '=', 2);
          if (name !== undefined && value !== undefined) setVar(name, value);
        }
        return '200 result=0';
      }
      if (hanging) return '200 result=-1';
      if (app.toLowerCase() === 'playback' && !dead) call.played.push(...(arg.split(',')[0] ?? '').split('&'));
      if (app.toLowerCase() === 'read' && !dead) {
        // Read(variable,filename,maxdigits,...): nothing keyed leaves '' and READSTATUS=TIMEOUT (agi-pin-entry.log).
        const [variable = '', file = ''] = arg.split(',');
        call.prompts.push(file);
        const digits = dtmf.shift() ?? '';
        setVar(variable, digits);
        setVar('READSTATUS', digits === '' ? 'TIMEOUT' : 'OK');
      }
      return '200 result=0';
    }
    if (is('STREAM', 'FILE')) {
      if (!dead && hanging) return '200 result=-1 endpos=4000';
      return media(() => {
        call.played.push(argv[2] ?? '');
        return `200 result=0 endpos=${o.streamEndpos ?? 11680}`;
      }, 4, 'STREAM FILE');
    }
    if (is('SAY', 'DIGITS')) {
      if (!dead && argv.length !== 4) return usage('SAY DIGITS');
      return media(() => {
        call.said.push(argv[2] ?? '');
        return '200 result=0';
      }, 4, 'SAY DIGITS');
    }
    if (is('GET', 'DATA')) {
      return media(() => {
        call.prompts.push(argv[2] ?? '');
        const digits = dtmf.shift() ?? '';
        return digits === '' ? '200 result= (timeout)' : `200 result=${digits}`;
      }, 3, 'GET DATA');
    }
    if (is('CHANNEL', 'STATUS')) return `200 result=${dead ? 0 : 6}`;
    if (is('DATABASE', 'PUT')) {
      if (argv.length !== 5) return usage('DATABASE PUT');
      call.database[`${argv[2]}/${argv[3]}`] = argv[4] ?? '';
      return '200 result=1';
    }
    if (is('DATABASE', 'GET')) {
      if (argv.length !== 4) return usage('DATABASE GET');
      const v = call.database[`${argv[2]}/${argv[3]}`];
      return v === undefined ? '200 result=0' : `200 result=1 (${v})`;
    }
    if (is('DATABASE', 'DEL')) {
      if (argv.length !== 4) return usage('DATABASE DEL');
      const key = `${argv[2]}/${argv[3]}`;
      const had = key in call.database;
      delete call.database[key];
      return `200 result=${had ? 1 : 0}`;
    }
    if (is('NOOP')) return '200 result=0';
    return '510 Invalid or unknown command';
  };

  const onCommand = (line: string) => {
    call.sent.push(line);
    commandNo++;
    for (const w of waiters.filter((x) => x.pattern.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
    const at = o.hangupAt?.command;
    const hanging = !dead && at !== undefined && (typeof at === 'number' ? at === commandNo : at.test(line));
    const notice = noticeDue;
    noticeDue = false;
    const reply = answer(parseAgiArgs(line), hanging);
    if (hanging) {
      dead = true;
      noticeDue = true;
    }
    call.hungUp = dead;
    if (o.noReplyTo?.test(line)) return;
    queueWrite(`${notice ? 'HANGUP\n' : ''}${reply}\n`);
  };

  socket.on('data', (chunk) => {
    inbound += chunk.toString('utf8');
    let nl: number;
    while ((nl = inbound.indexOf('\n')) >= 0) {
      const line = inbound.slice(0, nl);
      inbound = inbound.slice(nl + 1);
      onCommand(line);
    }
  });
  // The server closed its side: Asterisk says HANGUP and closes (recorded after every session).
  socket.on('end', () => {
    if (inbound) call.sent.push(inbound);
    inbound = '';
    if (weClosed) return;
    call.closedByServer = true;
    writes = writes.then(() => {
      write('HANGUP\n');
      socket.end();
    });
  });
  socket.on('error', (err) => {
    call.error = (err as NodeJS.ErrnoException).code ?? err.message;
  });

  socket.on('connect', () => {
    if (o.rawEnv !== undefined) {
      write(o.rawEnv);
      return;
    }
    const env = environment(port, o);
    if (o.splitEnv === 'two-reads') {
      // Where agi-session.log shows the cut: after agi_context.
      const cut = env.indexOf('\n', env.indexOf('agi_context: ')) + 1;
      writes = writes.then(async () => {
        write(env.slice(0, cut));
        await pause(5);
        write(env.slice(cut));
      });
    } else if (o.splitEnv === 'per-line') {
      writes = writes.then(async () => {
        for (const line of env.split(/(?<=\n)/)) {
          write(line);
          await pause(2);
        }
      });
    } else write(env);
  });

  const timeoutMs = o.timeoutMs ?? 5000;
  const done = new Promise<FastAgiCall>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`FastAGI call ${o.script} did not end within ${timeoutMs} ms; server wrote: ${JSON.stringify(call.sent)}`));
    }, timeoutMs);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve(call);
    });
  });
  done.catch(() => {}); // callers that only use the handle must not get an unhandled rejection

  return {
    call,
    done,
    waitForCommand(pattern, ms = timeoutMs) {
      const seen = call.sent.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no command matching ${pattern} within ${ms} ms; sent: ${JSON.stringify(call.sent)}`)), ms);
        waiters.push({ pattern, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      });
    },
    hangup() {
      if (dead) return;
      dead = true;
      call.hungUp = true;
      writes = writes.then(() => write('HANGUP\n'));
    },
    close() {
      weClosed = true;
      socket.end();
    },
    write(data) {
      write(data);
    },
  };
}
