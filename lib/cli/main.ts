#!/usr/bin/env node
// agentgate: the administrator's command line. Same configuration (environment)
// and the same domain code as the FastAGI service.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { AppError, BadParamsError, InvalidNumberError } from '../errors.ts';
import { AGENT_USAGE, agentCmd, agentNeedsAmi } from './agent-commands.ts';
import { UsageError, withServices } from './context.ts';
import { DOCTOR_USAGE, doctorCmd } from './doctor.ts';
import { IMPORT_USAGE, importCmd, importNeedsAmi } from './import-freepbx.ts';
import { allowCmd, auditCmd, loginCmd, membersCmd, pauseCmd, policyCmd } from './queue-commands.ts';

const USAGE = `usage: agentgate <command> [args]
  allow add <queue> <number> [--penalty N] [--name NAME] [--wrapup SEC] [--no-confirm]
                                      authorize a number for a queue (wrap-up: seconds after each call;
                                      --no-confirm: rung without confirm on answer)
  allow remove <queue> <number>                            take a number off a queue's list
  allow list [queue]                                       numbers allowed per queue
  policy <queue> open|list                                 open: any number may log in (default: list)
  members [queue]                                          who is in which queue now (from Asterisk)
  login <number> <queue[,queue]> [--context C]             log a number in
  logout <number> [queue[,queue]] [--context C]            log a number out (of all queues when none named)
  pause <number> [--queue Q] [--reason R] [--context C]    pause a number (in every queue it is in when none named)
  unpause <number> [--queue Q] [--context C]               unpause a number (an auto-pause too)
  audit [--count N]                                        the latest audit entries
${DOCTOR_USAGE}
${IMPORT_USAGE}
${AGENT_USAGE}`;

// strict: an unknown option (`--penatly 2`) or one without its value
// (`--context` last, `--name --penalty 1`) is a usage mistake, never a default.
function parseCommandLine(): ReturnType<typeof parseOptions> {
  try {
    return parseOptions();
  } catch (err) {
    process.stderr.write(`agentgate: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
}

const parseOptions = () => parseArgs({
  allowPositionals: true,
  options: {
    penalty: { type: 'string' },
    wrapup: { type: 'string' },
    'no-confirm': { type: 'boolean' },
    name: { type: 'string' },
    context: { type: 'string' },
    count: { type: 'string' },
    queues: { type: 'string' },
    mobile: { type: 'string' },
    queue: { type: 'string' },
    reason: { type: 'string' },
    json: { type: 'boolean' },
    'asterisk-etc': { type: 'string' },
    'dry-run': { type: 'boolean' },
    'from-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
const { values: opts, positionals } = parseCommandLine();

const out = (line: string) => process.stdout.write(`${line}\n`);
const [cmd, ...args] = positionals;

async function run(): Promise<void> {
  const o = opts as Record<string, string | undefined>;
  switch (cmd) {
    case 'allow': return withServices(false, (svc) => allowCmd(svc, out, args, o));
    case 'policy': return withServices(false, (svc) => policyCmd(svc, out, args));
    case 'members': return withServices(true, (svc) => membersCmd(svc, out, args));
    case 'login': return withServices(true, (svc) => loginCmd(svc, out, args, o, 'login'));
    case 'logout': return withServices(true, (svc) => loginCmd(svc, out, args, o, 'logout'));
    case 'pause': return withServices(true, (svc) => pauseCmd(svc, out, args, o, 'pause'));
    case 'unpause': return withServices(true, (svc) => pauseCmd(svc, out, args, o, 'unpause'));
    case 'audit': return withServices(false, (svc) => auditCmd(svc, out, o));
    case 'agent': return withServices(agentNeedsAmi(args[0]), (svc) => agentCmd(svc, out, args, o));
    case 'doctor': return doctorCmd(out, opts);
    case 'import': return withServices(importNeedsAmi(args, opts), (svc) => importCmd(svc, out, args, opts));
    default: throw new UsageError(cmd ? `unknown command ${cmd}` : 'no command given');
  }
}

if (opts.help || !cmd) {
  out(USAGE);
  process.exit(cmd || opts.help ? 0 : 2);
}
try {
  await run();
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`agentgate: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  // The domain's refusals of an argument (a bad queue name, a number that is not one) are usage mistakes too.
  if (err instanceof BadParamsError || err instanceof InvalidNumberError) {
    process.stderr.write(`agentgate: ${err.code}: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (err instanceof AppError || err instanceof ConfigError) {
    process.stderr.write(`agentgate: ${err instanceof AppError ? `${err.code}: ` : ''}${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
