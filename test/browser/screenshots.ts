// Takes the README's console screenshots (docs/console-*.png): the whole
// service against the AMI double with a small call centre in it, and the
// console in headless Chromium. Run: node test/browser/screenshots.ts
// (needs Chromium and the Redis at REDIS_URL; writes only under its own prefix, deleted after).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createAgent } from '../../lib/agents/accounts.ts';
import { startApp } from '../../lib/app.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/log.ts';
import { allowNumber, setPolicy } from '../../lib/queues/allowlist.ts';
import { startAmiDouble } from '../doubles/ami-asterisk.ts';
import { waitFor } from '../support/wait.ts';
import { chromiumPath, launchBrowser } from './support.ts';

const READ = 'wallboard-screens-0123456789';
const ADMIN = 'supervisor-screens-0123456789';
const DOCS = path.resolve(import.meta.dirname, '../../docs');

if (!chromiumPath) {
  console.log('no Chromium: apt-get install chromium, or set CHROMIUM_PATH');
  process.exit(1);
}
const prefix = `agshots:${randomUUID().slice(0, 8)}:`;
const ami = await startAmiDouble({ username: 'agentgate', secret: 's3cret', queues: ['8008', '8009'] });
const app = await startApp(loadConfig({
  FASTAGI_PORT: '0', AMI_PORT: String(ami.port), AMI_USERNAME: 'agentgate', AMI_SECRET: 's3cret',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', REDIS_PREFIX: prefix,
  API_PORT: '0', API_TOKENS: `wallboard:read:${READ},supervisor:admin:${ADMIN}`,
}), silentLogger);
const browser = await launchBrowser();
try {
  await waitFor(() => app.live.synced, 'live model synced');
  const base = `http://127.0.0.1:${app.apiPort}`;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(base + p, { method, headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  };
  const store = app.svc.store;
  const by = { source: 'cli' as const, by: 'demo' };
  await allowNumber(store, '8008', { number: '79112223344', penalty: 1, name: 'Ivan Petrov' }, by);
  await allowNumber(store, '8008', { number: '79035554433', penalty: 0, name: 'Maria Ivanova' }, by);
  await allowNumber(store, '8008', { number: '1001', penalty: 2, name: 'Desk 1001' }, by);
  await allowNumber(store, '8009', { number: '79261112233', penalty: 0, name: 'Sergey Volkov' }, by);
  await allowNumber(store, '8009', { number: '79112223344', penalty: 3, name: 'Ivan Petrov' }, by);
  await setPolicy(store, '8010', 'open', by);
  await createAgent(store, { id: '7001', name: 'Anna Smirnova', pin: '86420', queues: [{ queue: '8008', penalty: 1 }, { queue: '8009', penalty: 2 }] }, { pinHash: { ln: 4, r: 1, p: 1 } });

  await call('POST', '/numbers/79112223344/login', { queues: ['8008'] });
  await call('POST', '/numbers/79035554433/login', { queues: ['8008'] });
  await call('POST', '/numbers/1001/login', { queues: ['8008'], context: 'from-queue' });
  await call('POST', '/numbers/79261112233/login', { queues: ['8009'] });
  await call('POST', '/agents/7001/login', { phone: '1002', context: 'from-queue' });
  await call('POST', '/agents/7001/pause', { reason: 'lunch', queue: '8009' });

  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${base}/#token=${READ}`);
  await page.locator('li.member[data-agent="7001"]').first().waitFor();
  // Calls, after the page is open so the counters since then show them.
  const first = ami.addCaller('8008', { number: '74951234567', name: 'OOO Romashka' });
  ami.answerCall('8008', first, 'Local/79112223344@outbound-allroutes/n');
  ami.addCaller('8008', { number: '78122223344', name: 'Petr Sidorov' });
  ami.abandonCaller('8008', ami.addCaller('8008', { number: '74959876543' }));
  ami.addCaller('8008', { number: '79167778899' });
  ami.addCaller('8009', { number: '74997654321', name: 'Elena K.' });
  await page.locator('article.queue[data-queue="8008"] ol.waiting li').nth(1).waitFor();
  await page.waitForTimeout(3200);
  await page.screenshot({ path: path.join(DOCS, 'console-wallboard.png') });

  const admin = await browser.context.newPage();
  await admin.setViewportSize({ width: 1280, height: 860 });
  await admin.goto(`${base}/#token=${ADMIN}&view=allowlists`);
  await admin.locator('article.allowlist[data-queue="8009"]').waitFor();
  await admin.screenshot({ path: path.join(DOCS, 'console-allowlists.png') });
  console.log(`wrote ${DOCS}/console-wallboard.png and console-allowlists.png`);
} finally {
  await browser.close();
  await app.stop();
  await ami.stop();
  const { Redis } = await import('ioredis');
  const r = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
}
