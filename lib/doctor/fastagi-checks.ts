// FastAGI: the service listens, Asterisk's address is one FASTAGI_ALLOW
// admits, and the dialplan's AGENTGATE global points at it.
import net from 'node:net';
import type { AmiClient } from '../ami/client.ts';
import { createAllowList } from '../agi/allow.ts';
import type { Config } from '../config.ts';
import { fail, ok, warn, type Check } from './report.ts';
import { probeTcp } from './tcp.ts';

const isLoopback = (a: string): boolean => /^127\./.test(a) || a === '::1' || a === 'localhost' || a === '::ffff:127.0.0.1';
const isWildcard = (a: string): boolean => a === '0.0.0.0' || a === '::';

/**
 * The address Asterisk's FastAGI connections come from. Asterisk on this host
 * (AMI on loopback) connects from the address it dials: loopback, or
 * FASTAGI_HOST itself. Asterisk elsewhere connects from its own address, which
 * the AMI peer's address stands for.
 */
export function asteriskSource(fastagiHost: string, amiHost: string, amiPeer: string): { address: string; local: boolean } {
  const local = isLoopback(amiHost) || isLoopback(amiPeer);
  if (!local) return { address: amiPeer.replace(/^::ffff:/, ''), local };
  return { address: isLoopback(fastagiHost) || isWildcard(fastagiHost) || !net.isIP(fastagiHost) ? '127.0.0.1' : fastagiHost, local };
}

export function allowCheck(cfg: Config['fastagi'], source: { address: string; local: boolean }): Check {
  const { host, port, allow } = cfg;
  if (!source.local && isLoopback(host)) {
    return fail('fastagi-reach', `FastAGI: Asterisk at ${source.address} is another host, but the service listens on ${host}:${port} (loopback only)`,
      `set FASTAGI_HOST to this host's address Asterisk can reach, and FASTAGI_ALLOW=${source.address}`);
  }
  if (!createAllowList(allow)(source.address)) {
    return fail('fastagi-reach', `FastAGI: FASTAGI_ALLOW (${allow.join(',')}) does not admit ${source.address}, the address Asterisk connects from: every call is closed at once`,
      `set FASTAGI_ALLOW=${source.address}${net.isIPv6(source.address) ? '/128' : ''} (the PBX alone)`);
  }
  return ok('fastagi-reach', `FastAGI: Asterisk connects from ${source.address}, which FASTAGI_ALLOW admits`);
}

export async function listeningCheck(cfg: Config['fastagi']): Promise<Check> {
  const target = isWildcard(cfg.host) ? (cfg.host === '::' ? '::1' : '127.0.0.1') : cfg.host;
  const tcp = await probeTcp(target, cfg.port, { timeoutMs: 2000 });
  return tcp.open
    ? ok('fastagi', `FastAGI: something listens on ${cfg.host}:${cfg.port}`)
    : fail('fastagi', `FastAGI: nothing listens on ${cfg.host}:${cfg.port} (${tcp.error}): calls get AGISTATUS=FAILURE`, 'start the service (npm start, or docker compose up) with the same FASTAGI_HOST/FASTAGI_PORT');
}

/** The shipped dialplan calls agi://${AGENTGATE}/...: the global must name this service. Getvar of a global needs call, which the service has. */
export function globalCheck(value: string, cfg: Config['fastagi']): Check {
  const id = 'dialplan-global';
  const line = `globals_custom.conf: AGENTGATE = ${isWildcard(cfg.host) ? '<this host>' : cfg.host}:${cfg.port}; fwconsole reload`;
  if (value === '') return fail(id, 'dialplan: the global AGENTGATE is not set, so the shipped dialplan calls agi:///... and every call fails', line);
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(value.trim());
  const host = m?.[1] ?? '';
  const port = Number(m?.[2] ?? 4573);
  if (port !== cfg.port) return fail(id, `dialplan: AGENTGATE = ${value}, but the service listens on port ${cfg.port}`, line);
  if (!isWildcard(cfg.host) && host !== cfg.host && !(isLoopback(host) && isLoopback(cfg.host))) {
    return warn(id, `dialplan: AGENTGATE = ${value}, but FASTAGI_HOST is ${cfg.host}`, `make sure ${host} reaches this service, or ${line}`);
  }
  return ok(id, `dialplan: AGENTGATE = ${value}`);
}

export async function readGlobal(ami: AmiClient, name: string): Promise<string | undefined> {
  try {
    return await ami.getvar(name);
  } catch {
    return undefined;
  }
}
