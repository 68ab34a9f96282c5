// docker-compose.yml exposes nothing beyond this host by default: FastAGI has
// no authentication (anyone who reaches it can run agent-force-logout), so it
// takes calls from loopback only until the admin names the PBX.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const compose = readFileSync(path.resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8').replace(/#.*$/gm, '');
const defaultOf = (name: string) => new RegExp(`${name}: \\$\\{${name}:-([^}]*)\\}`).exec(compose)?.[1];

describe('docker compose defaults', () => {
  it('FastAGI binds loopback and allows loopback only', () => {
    expect(defaultOf('FASTAGI_HOST')).toBe('127.0.0.1');
    expect(defaultOf('FASTAGI_ALLOW')).toBe('127.0.0.0/8,::1/128');
  });

  it('publishes no port on every interface', () => {
    const published = [...compose.matchAll(/ports:\s*\[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(',').map((p) => p.trim().replace(/"/g, '')));
    for (const p of published) expect(p, p).toMatch(/^127\.0\.0\.1:/);
  });

  it('reaches AMI on this host, where the shipped AMI user permits 127.0.0.1', () => {
    expect(defaultOf('AMI_HOST')).toBe('127.0.0.1');
    expect(readFileSync(path.resolve(import.meta.dirname, '../../dialplan/manager_custom.conf'), 'utf8')).toMatch(/^permit = 127\.0\.0\.1\/255\.255\.255\.255$/m);
  });
});
