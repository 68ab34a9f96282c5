// The console's side of the API: its static files served at / without a
// token (they hold only code) under a strict Content-Security-Policy, and
// GET /whoami, which tells the console whether to show actions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, READ_TOKEN, startApiHarness, type ApiHarness } from './support.ts';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h.stop());

describe('the console files', () => {
  it('serves the page at / and its modules without a token, same-origin code only', async () => {
    const page = await h.req('GET', '/', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<script type="module" src="/console/console.js"></script>');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';.*connect-src 'self';.*frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');

    const js = await h.req('GET', '/console/console.js', { token: null });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await h.req('GET', '/console/console.css', { token: null })).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 304 to a browser that has the current file, and 404 to a file that is not the console\'s', async () => {
    const first = await fetch(`${h.base}/console/board.js`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect((await fetch(`${h.base}/console/board.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const path of ['/console/nothing.js', '/console/..%2F..%2Fpackage.json', '/console/index.html']) {
      expect((await h.req('GET', path, { token: null })).status, path).toBe(404);
    }
  });
});

describe('GET /whoami', () => {
  it("tells a token's name and role, and needs a token", async () => {
    expect((await h.req('GET', '/whoami', { token: READ_TOKEN })).body).toEqual({ name: 'wallboard', role: 'read' });
    expect((await h.req('GET', '/whoami', { token: ADMIN_TOKEN })).body).toEqual({ name: 'supervisor', role: 'admin' });
    expect((await h.req('GET', '/whoami', { token: null })).status).toBe(401);
  });
});
