// `agentgate doctor [--json] [--asterisk-etc DIR]`: checks the set-up end to
// end and changes nothing (lib/doctor). Exit 0 when nothing is ✗, 1 otherwise.
import { ConfigError, loadConfig } from '../config.ts';
import { runDoctor } from '../doctor/run.ts';
import { exitCode, fail, formatReport, reportJson, type Check } from '../doctor/report.ts';
import { createLogger } from '../log.ts';
import type { Out } from './queue-commands.ts';

export const DOCTOR_USAGE = `  doctor [--json] [--asterisk-etc DIR]                     check the set-up (Redis, AMI user, queues, dialplan, FastAGI); changes nothing`;

export async function doctorCmd(out: Out, opts: { json?: string | boolean; 'asterisk-etc'?: string | boolean }): Promise<void> {
  let checks: Check[];
  try {
    const config = loadConfig();
    // Silent whatever LOG_LEVEL says: the report is the output, and --json must stay parseable.
    const log = createLogger('silent');
    const etc = typeof opts['asterisk-etc'] === 'string' ? opts['asterisk-etc'] : '/etc/asterisk';
    checks = await runDoctor(config, log, { asteriskEtc: etc });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    checks = [fail('config', `configuration: ${err.message}`, `correct ${err.key} in the environment the service runs with`)];
  }
  if (opts.json) out(JSON.stringify(reportJson(checks), null, 2));
  else for (const line of formatReport(checks)) out(line);
  process.exitCode = exitCode(checks);
}
