// Which client addresses may open FastAGI sessions: IPs and CIDR ranges, IPv4
// and IPv6. A dual-stack listener reports IPv4 clients as IPv4-mapped IPv6
// (::ffff:127.0.0.1); net.BlockList matches those against IPv4 rules too.
import net from 'node:net';
import { ConfigError } from '../config.ts';

export function createAllowList(entries: readonly string[]): (address: string) => boolean {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [addr = '', prefix, extra] = entry.split('/');
    const family = net.isIP(addr);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined) throw new ConfigError('FASTAGI_ALLOW', `not an IP address or CIDR range: ${JSON.stringify(entry)}`);
    if (prefix === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > max) throw new ConfigError('FASTAGI_ALLOW', `bad prefix length in ${JSON.stringify(entry)}`);
    list.addSubnet(addr, bits, type);
  }
  return (address: string) => {
    const family = net.isIP(address);
    if (!family) return false;
    return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
