// A double and clients wired for one test, all closed afterwards.
import { afterEach } from 'vitest';
import { AmiClient, type AmiClientOptions } from '../../lib/ami/client.ts';
import { silentLogger } from '../../lib/log.ts';
import { startAmiDouble, type AmiDouble, type AmiDoubleOptions } from '../doubles/ami-asterisk.ts';

export const USER = 'admin';
export const SECRET = 'amp111';

const open: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];

afterEach(async () => {
  for (const x of open.splice(0).reverse()) {
    if ('close' in x) await x.close();
    else await x.stop();
  }
});

export async function double(over: Partial<AmiDoubleOptions> = {}): Promise<AmiDouble> {
  const ami = await startAmiDouble({ username: USER, secret: SECRET, queues: ['8008', '8009'], ...over });
  open.push(ami);
  return ami;
}

export function client(ami: AmiDouble, over: Partial<AmiClientOptions> = {}): AmiClient {
  const c = new AmiClient({
    host: '127.0.0.1',
    port: ami.port,
    username: USER,
    secret: SECRET,
    actionTimeoutMs: 500,
    logger: silentLogger,
    pingIntervalMs: 0,
    reconnect: { minMs: 20, maxMs: 100 },
    ...over,
  });
  open.push(c);
  return c;
}

export async function connected(ami: AmiDouble, over: Partial<AmiClientOptions> = {}): Promise<AmiClient> {
  const c = client(ami, over);
  await c.connect();
  return c;
}
