// The supervisor console in a real headless Chromium against the whole
// service (real API, FastAGI and Redis; the AMI double as Asterisk): signing
// in, the wallboard following the live stream without reloads, admin actions
// and their errors, what a read token is shown, and the "link down" banners.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../lib/agents/accounts.ts';
import { allowNumber, listAllowed } from '../../lib/queues/allowlist.ts';
import { ADMIN_TOKEN, READ_TOKEN, startApiHarness, type ApiHarness } from '../api/support.ts';
import { callFastAgi } from '../doubles/fastagi-asterisk.ts';
import { chromiumPath, launchBrowser, skipReason, startLinkProxy, type Browser, type LinkProxy } from './support.ts';

if (!chromiumPath) console.log(skipReason);

const A = '79112223344';
const A_IFACE = `Local/${A}@outbound-allroutes/n`;
const UNLISTED = '79990001122';

describe.skipIf(!chromiumPath)('supervisor console', () => {
  let browser: Browser;
  let h: ApiHarness;
  let proxy: LinkProxy;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  beforeEach(async () => {
    h = await startApiHarness();
    proxy = await startLinkProxy(h.app.apiPort!);
    await allowNumber(h.app.svc.store, '8008', { number: A, penalty: 1, name: 'Ivan Petrov' }, { source: 'cli', by: 'test' });
    page = await browser.context.newPage();
  });
  afterEach(async () => {
    await page.close();
    await proxy.close();
    await h.stop();
  });

  /** Opens the console signed in by the URL fragment and waits for the board's first snapshot. */
  const open = async (token: string) => {
    await page.goto(`${proxy.base}/#token=${token}`);
    await page.locator('article.queue[data-queue="8008"]').waitFor();
    // Set once; a reload would lose it, so it proves later changes came live.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  };
  const notReloaded = () => page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);
  const row = (number: string, queue = '8008') => page.locator(`article.queue[data-queue="${queue}"] li.member[data-number="${number}"]`);
  const banner = (text: string) => page.locator('.banner', { hasText: text });

  it('signs in from /#token=..., wipes the token from the address bar, and shows the board as Asterisk has it', async () => {
    h.ami.addMember('8008', 'PJSIP/1001', { name: 'Desk 1001', paused: true, reason: 'lunch' });
    h.ami.addCaller('8008', { number: '74950001122', name: 'Customer' });
    await open(READ_TOKEN);

    expect(page.url()).toBe(`${proxy.base}/`);
    expect(await page.evaluate(() => sessionStorage.getItem('agentgate.token'))).toBe(READ_TOKEN);
    expect(await page.locator('#who-name').textContent()).toBe('wallboard');
    const desk = row('1001');
    await desk.waitFor();
    expect(await desk.textContent()).toMatch(/Desk 1001.*Desk phone.*Paused.*lunch/);
    const waiting = page.locator('article.queue[data-queue="8008"] ol.waiting li');
    expect(await waiting.textContent()).toMatch(/^1\s*74950001122 Customerwaiting \d:\d\d$/);
    expect(await page.locator('article.queue[data-queue="8008"] .counter', { hasText: 'Waiting' }).locator('dd').textContent()).toBe('1');
  });

  it('without a token asks for one, says when it is wrong, and signs in with a right one', async () => {
    await page.goto(`${proxy.base}/`);
    await page.getByLabel('Access token').fill('not-a-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted').waitFor();
    await page.getByLabel('Access token').fill(READ_TOKEN);
    await page.getByLabel('Access token').press('Enter');
    await page.locator('article.queue[data-queue="8008"]').waitFor();
    expect(await page.locator('#who-role').textContent()).toBe('read only');
  });

  it('shows a read token no action controls anywhere, though it sees members and lists', async () => {
    await h.req('POST', `/numbers/${A}/login`, { body: { queues: ['8008'] } });
    await open(READ_TOKEN);
    await row(A).waitFor();
    const wallboard = page.locator('#view-wallboard');
    expect(await wallboard.locator('button, form, input, select').count()).toBe(0);
    expect(await page.getByText('Log someone in').count()).toBe(0);

    await page.getByRole('link', { name: 'Allowlists' }).click();
    const lists = page.locator('#view-allowlists');
    await lists.locator(`article.allowlist[data-queue="8008"] tr[data-number="${A}"]`).waitFor();
    expect(await lists.locator('article.allowlist').textContent()).toMatch(/Policy: Only listed numbers/);
    expect(await lists.locator('form, input, select').count()).toBe(0);
    expect(await lists.getByRole('button').allTextContents()).toEqual(['Refresh']);
  });

  it('shows a member logged in through the API and takes it away at logout, live, without a reload', async () => {
    await open(ADMIN_TOKEN);
    expect(await row(A).count()).toBe(0);
    expect((await h.req('POST', `/numbers/${A}/login`, { body: { queues: ['8008'] } })).status).toBe(200);
    await row(A).waitFor({ timeout: 2000 });
    expect(await row(A).textContent()).toMatch(/Ivan Petrov.*Mobile 79112223344.*Available.*In since/);
    expect((await h.req('POST', `/numbers/${A}/logout`, { body: {} })).status).toBe(200);
    await row(A).waitFor({ state: 'detached', timeout: 2000 });
    expect(await notReloaded()).toBe(true);
  });

  it('shows a number toggled in through FastAGI within a second, without a reload', async () => {
    await open(READ_TOKEN);
    const started = Date.now();
    const call = await callFastAgi(h.port, { script: 'queue-toggle?queue=8008', callerId: A });
    expect(call.variables.QUEUESTAT).toBe('LOGGEDIN');
    await row(A).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await notReloaded()).toBe(true);
  });

  it('lets an admin log a member out, and pause an agent with a reason, with the buttons on its row', async () => {
    await createAgent(h.app.svc.store, { id: '7001', name: 'Olga Orlova', pin: '86420', queues: [{ queue: '8008', penalty: 0 }] }, { pinHash: { ln: 4, r: 1, p: 1 } });
    await h.req('POST', `/numbers/${A}/login`, { body: { queues: ['8008'] } });
    await h.req('POST', '/agents/7001/login', { body: { phone: '1001', context: 'from-queue' } });
    await open(ADMIN_TOKEN);

    await page.getByRole('button', { name: 'Log out Ivan Petrov from queue 8008' }).click();
    await row(A).waitFor({ state: 'detached', timeout: 2000 });
    expect(h.ami.members('8008').map((m) => m.interface)).not.toContain(A_IFACE);
    await page.getByText(`${A} logged out of 8008`).waitFor();

    const agentRow = page.locator('li.member[data-agent="7001"]');
    await agentRow.getByRole('button', { name: 'Pause Olga Orlova' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('lunch');
    await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
    await agentRow.filter({ hasText: /Paused\s*lunch/ }).waitFor({ timeout: 2000 });
    expect(h.ami.members('8008').find((m) => m.interface === 'Local/1001@from-queue/n')).toMatchObject({ paused: true, pausedReason: 'lunch' });
    await agentRow.getByRole('button', { name: 'Unpause Olga Orlova' }).waitFor();
  });

  it('says in words why an action was refused, lets an admin put the number on the allowlist, and finds it all in the audit trail', async () => {
    await open(ADMIN_TOKEN);
    await page.getByText('Log someone in').click();
    const form = page.locator('form', { has: page.getByRole('heading', { name: 'Log a number in' }) });
    await form.getByLabel('Number').fill(UNLISTED);
    await form.getByLabel('Queues').fill('8008');
    await form.getByRole('button', { name: 'Log in number' }).click();
    await form.getByText("That number is not on the queue's allowlist.").waitFor();
    expect(await form.locator('.form-result').textContent()).toMatch(/\(NOT_AUTHORIZED\)$/);

    await page.getByRole('link', { name: 'Allowlists' }).click();
    const add = page.locator('article.allowlist[data-queue="8008"] form[aria-label="Add a number to queue 8008"]');
    await add.getByLabel('Number').fill(UNLISTED);
    await add.getByLabel('Name').fill('Night shift');
    await add.getByLabel('Penalty').fill('3');
    await add.getByRole('button', { name: 'Add number' }).click();
    await page.locator(`article.allowlist[data-queue="8008"] tr[data-number="${UNLISTED}"]`).filter({ hasText: 'Night shift' }).waitFor();
    expect((await listAllowed(h.app.svc.store, '8008')).find((e) => e.number === UNLISTED)).toEqual({ number: UNLISTED, penalty: 3, name: 'Night shift' });

    await page.getByRole('link', { name: 'Wallboard' }).click();
    await form.getByRole('button', { name: 'Log in number' }).click();
    await row(UNLISTED).filter({ hasText: 'Night shift' }).waitFor({ timeout: 2000 });

    // The audit trail, filtered to that number: the refusal, the listing and the login, newest first.
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.locator('#view-audit tbody tr').first().waitFor();
    await page.locator('#view-audit').getByLabel('Number or agent').fill(UNLISTED);
    const rows = page.locator('#view-audit tbody tr');
    await page.locator('#view-audit').getByText(/^\d+ of \d+ loaded entries match\.$/).waitFor();
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(1, 5).map((td) => td.textContent).join(' ')));
    expect(cells.every((c) => c.includes(UNLISTED))).toBe(true);
    expect(cells.at(-1)).toMatch(/REFUSED$/);
    expect(cells[0]).toMatch(/ 8008 OK$/);
    expect(cells.length).toBeGreaterThanOrEqual(3);
  });

  it('says when the service has lost Asterisk, and clears it when Asterisk is back', async () => {
    await open(READ_TOKEN);
    await h.ami.refuse(true);
    h.ami.dropConnections();
    await banner('Asterisk link down').waitFor({ timeout: 2000 });
    expect(await page.locator('body.stale').count()).toBe(1);
    await h.ami.refuse(false);
    await banner('Asterisk link down').waitFor({ state: 'detached', timeout: 5000 });
    expect(await page.locator('body.stale').count()).toBe(0);
  });

  it('says when its own link to the service is down, reconnects by itself and catches up', async () => {
    await open(READ_TOKEN);
    proxy.cut();
    await banner('Service link down').waitFor({ timeout: 2000 });
    // Meanwhile a member logs in; the board learns it from the fresh snapshot after the reconnect.
    await h.req('POST', `/numbers/${A}/login`, { body: { queues: ['8008'] } });
    proxy.restore();
    await banner('Service link down').waitFor({ state: 'detached', timeout: 4000 });
    await row(A).waitFor({ timeout: 1000 });
    expect(await notReloaded()).toBe(true);
  });
});
