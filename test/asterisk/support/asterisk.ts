// Starts and stops a private Asterisk: its own directory tree (config, astdb,
// run, log, spool) under a temp dir, its own AMI port, daemonized. Never
// `asterisk -f` with stdin closed: that spins a core.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AsteriskInstall } from './binary.ts';
import { freePort } from '../../support/free-port.ts';

export { freePort };
import {
  asteriskConf, extensionsConf, loggerConf, managerConf, modulesConf, queuesConf, SUPERVISOR_PIN, TIMING_MODULES, type FixtureOptions,
} from './fixture.ts';

export interface RunningAsterisk {
  dir: string;
  pid: number;
  amiPort: number;
  /** Whether /etc/asterisk/agentgate-supervisor.pin (named by the shipped dialplan) is ours in Asterisk's view. */
  supervisorPinFile: boolean;
  /** Whether the Asterisk process is still there (it is not after a crash). */
  alive(): boolean;
  /** Runs one CLI command through the control socket (`asterisk -rx`). */
  cli(command: string): Promise<string>;
  /** The full log so far (verbose 3, warnings, DTMF). */
  log(): string;
  stop(): Promise<void>;
}


function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid in `<dir>/run/asterisk.pid` when that process is an Asterisk started with `<dir>`'s config. */
export function ownAsteriskPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(dir, 'run', 'asterisk.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(path.join(dir, 'etc', 'asterisk.conf')) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** SIGTERM, then SIGKILL when it has not gone within `graceMs`. Only the pid of our own Asterisk. */
export async function killOwnAsterisk(dir: string, graceMs = 5000): Promise<void> {
  const pid = ownAsteriskPid(dir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

// The shipped [agentgate-supervisor] reads /etc/asterisk/agentgate-supervisor.pin,
// an absolute path. Rather than write into the machine's /etc, Asterisk runs in
// a mount namespace of its own where our etc dir is bound over /etc/asterisk
// (root: unshare -m; others: an unprivileged user namespace, unshare -rm). When
// that is not possible it runs plainly and the supervisor test says why it skips.
async function namespaceLauncher(): Promise<string[] | undefined> {
  if (!existsSync('/etc/asterisk')) return undefined;
  const flags = process.getuid?.() === 0 ? ['-m'] : ['-rm'];
  const probe = await run('unshare', [...flags, '--propagation', 'private', 'sh', '-c', 'mount --bind /tmp /etc/asterisk'], 5000);
  return probe.code === 0 ? ['unshare', ...flags, '--propagation', 'private'] : undefined;
}

/**
 * Prompts FreePBX systems have (its sound packages include Asterisk's extra
 * sounds) that a bare core-sounds install lacks, with a core sound to stand in.
 */
export const EXTRA_SOUND_STAND_INS: Record<string, string> = { 'an-error-has-occurred': 'something-terribly-wrong' };

// A data dir whose sounds/en holds links to the installed prompts, plus stand-ins
// for the extra sounds a FreePBX has and this machine may lack.
function freepbxSounds(installed: string, dir: string): string {
  const from = path.join(installed, 'sounds', 'en');
  const to = path.join(dir, 'data', 'sounds', 'en');
  mkdirSync(to, { recursive: true });
  const entries = readdirSync(from);
  for (const e of entries) symlinkSync(path.join(from, e), path.join(to, e));
  for (const [missing, standIn] of Object.entries(EXTRA_SOUND_STAND_INS)) {
    if (entries.some((e) => e.startsWith(`${missing}.`))) continue;
    for (const e of entries.filter((f) => f.startsWith(`${standIn}.`))) symlinkSync(path.join(from, e), path.join(to, `${missing}${e.slice(standIn.length)}`));
  }
  return path.join(dir, 'data');
}

export interface StartOptions extends Omit<FixtureOptions, 'moddir' | 'datadir' | 'timer'> {
  /** `freepbx` (default): the installed prompts plus FreePBX's extra ones; `installed`: exactly what this Asterisk has. */
  sounds?: 'freepbx' | 'installed';
}

export async function startAsterisk(install: AsteriskInstall, o: StartOptions): Promise<RunningAsterisk> {
  const { dir } = o;
  for (const sub of ['etc', 'lib', 'db', 'keys', 'agi-bin', 'spool', 'run', 'log', 'cache']) mkdirSync(path.join(dir, sub), { recursive: true });
  if (!install.datadir) throw new Error(`no prompts found for ${install.bin} (sounds/en/agent-user.*): install Asterisk's core sounds (Debian: asterisk-core-sounds-en-gsm) or set ASTERISK_DATADIR`);
  const datadir = o.sounds === 'installed' ? install.datadir : freepbxSounds(install.datadir, dir);
  const timing = TIMING_MODULES.find((m) => existsSync(path.join(install.moddir, `${m}.so`)));
  const fx: FixtureOptions = { ...o, moddir: install.moddir, datadir, timer: timing !== undefined };
  const etc = path.join(dir, 'etc');
  const conf = path.join(etc, 'asterisk.conf');
  writeFileSync(conf, asteriskConf(fx));
  writeFileSync(path.join(etc, 'modules.conf'), modulesConf(timing));
  writeFileSync(path.join(etc, 'logger.conf'), loggerConf());
  writeFileSync(path.join(etc, 'manager.conf'), managerConf(fx), { mode: 0o600 });
  writeFileSync(path.join(etc, 'queues.conf'), queuesConf());
  writeFileSync(path.join(etc, 'extensions.conf'), extensionsConf(fx));
  // Quiet defaults for what the core reads at start; CDR and CEL off.
  for (const [f, text] of Object.entries({ 'cdr.conf': '[general]\nenable = no\n', 'cel.conf': '[general]\nenable = no\n', 'features.conf': '', 'acl.conf': '', 'udptl.conf': '[general]\n', 'ccss.conf': '[general]\n', 'indications.conf': '[general]\n' })) {
    writeFileSync(path.join(etc, f), text);
  }
  writeFileSync(path.join(etc, 'agentgate-supervisor.pin'), `${SUPERVISOR_PIN}\n`, { mode: 0o600 });

  const ns = await namespaceLauncher();
  const [cmd, ...args] = ns
    ? [...ns, 'sh', '-c', 'mount --bind "$1" /etc/asterisk && exec "$2" -C "$3"', 'sh', etc, install.bin, conf]
    : [install.bin, '-C', conf];
  // Without -f/-c Asterisk forks into the background and this process exits.
  const launched = await new Promise<number>((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
  const fullLog = path.join(dir, 'log', 'full');
  const readLog = () => (existsSync(fullLog) ? readFileSync(fullLog, 'utf8') : '');
  if (launched !== 0) throw new Error(`asterisk exited with ${launched} at start\n${readLog().slice(-2000)}`);

  const ctl = path.join(dir, 'run', 'asterisk.ctl');
  const deadline = Date.now() + 20_000;
  let pid: number | undefined;
  while ((pid = ownAsteriskPid(dir)) === undefined || !existsSync(ctl) || !(await portOpen(o.amiPort))) {
    if (Date.now() > deadline) {
      await killOwnAsterisk(dir);
      throw new Error(`asterisk did not come up within 20 s (config ${conf})\n${readLog().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const cli = async (command: string) => {
    const r = await run(install.bin, ['-C', conf, '-rx', command]);
    return r.out;
  };
  await cli('core waitfullybooted');
  return {
    dir,
    pid,
    amiPort: o.amiPort,
    supervisorPinFile: ns !== undefined,
    alive: () => ownAsteriskPid(dir) !== undefined,
    cli,
    log: readLog,
    stop: () => killOwnAsterisk(dir),
  };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** For process exit handlers, which cannot wait: SIGKILL our own Asterisk at once. */
export function killOwnAsteriskNow(dir: string): void {
  const pid = ownAsteriskPid(dir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
