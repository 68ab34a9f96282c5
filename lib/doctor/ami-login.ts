// AMI: something answers at AMI_HOST:AMI_PORT, it is Asterisk, and it takes
// the service's username and secret.
import { AmiClient } from '../ami/client.ts';
import { AmiAuthError } from '../ami/errors.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { fail, ok, warn, type Check } from './report.ts';
import { probeTcp } from './tcp.ts';

export interface AmiSession {
  ami: AmiClient;
  /** Asterisk's address as this host reaches it (the AMI peer). */
  peer: string;
  /** FullyBooted arrived at login: the user reads system events. */
  fullyBooted: boolean;
}

export async function amiLogin(config: Config['ami'], log: Logger): Promise<{ checks: Check[]; session?: AmiSession }> {
  const where = `${config.host}:${config.port}`;
  const tcp = await probeTcp(config.host, config.port, { bannerMs: 2000 });
  if (!tcp.open) {
    return { checks: [fail('ami', `AMI at ${where}: not reachable (${tcp.error})`, 'start Asterisk, or set AMI_HOST/AMI_PORT to its manager port (manager.conf [general] enabled = yes, port, bindaddr)')] };
  }
  if (!tcp.banner?.startsWith('Asterisk Call Manager/')) {
    return { checks: [fail('ami', `AMI at ${where}: something answers but not Asterisk's manager (${tcp.banner ? JSON.stringify(tcp.banner.slice(0, 60)) : 'no banner'})`, 'set AMI_PORT to the port of manager.conf (default 5038)')] };
  }
  const checks: Check[] = [ok('ami', `AMI at ${where}: ${tcp.banner}`)];
  // Events: system, so the FullyBooted Asterisk sends at login shows that the user reads system events.
  const ami = new AmiClient({ ...config, logger: log, events: 'system', pingIntervalMs: 0, reconnect: { minMs: 200, maxMs: 1000 } });
  let uptime: number | undefined;
  ami.on('connected', (info) => {
    uptime = info.uptime;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ami.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no login answer within ${config.actionTimeoutMs + 2000} ms`)), config.actionTimeoutMs + 2000);
      }),
    ]);
  } catch (err) {
    await ami.close().catch(() => undefined);
    if (err instanceof AmiAuthError) {
      checks.push(fail('ami-login', `AMI login as ${config.username}: refused (Authentication failed: wrong secret, no such user, or this host not permitted)`,
        `set AMI_SECRET to the secret of [${config.username}] in manager_custom.conf; check its permit line covers this host; asterisk -rx "manager show user ${config.username}"`));
    } else {
      checks.push(fail('ami-login', `AMI login as ${config.username}: ${(err as Error).message}`, 'check that Asterisk is up and answers on the manager port'));
    }
    return { checks };
  } finally {
    clearTimeout(timer);
  }
  checks.push(ok('ami-login', `AMI login as ${config.username}: accepted`));
  const fullyBooted = uptime !== undefined;
  checks.push(fullyBooted
    ? ok('ami-events', 'AMI events: the user reads system events (FullyBooted arrived); agent events cannot be probed without a queue change')
    : warn('ami-events', 'AMI events: no FullyBooted at login: the user does not read system (or its eventfilter drops FullyBooted), so Asterisk restarts go unnoticed',
      `in [${config.username}] of manager_custom.conf: read = agent,system and the shipped eventfilter line; asterisk -rx "manager reload"`));
  return { checks, session: { ami, peer: tcp.remoteAddress ?? config.host, fullyBooted } };
}
