// Tokens and roles over real HTTP: nothing without a token, nothing changed
// with a read-only one, JSON errors with stable codes, and an OpenAPI
// document that names every route the service answers.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowNumber } from '../../lib/queues/allowlist.ts';
import { readAudit } from '../../lib/store/audit.ts';
import { ADMIN_TOKEN, READ_TOKEN, startApiHarness, type ApiHarness } from './support.ts';

const MOBILE = '79112223344';
let h: ApiHarness;
const logLines: string[] = [];
beforeAll(async () => {
  h = await startApiHarness({ API_CORS_ORIGINS: 'https://wallboard.example' }, { logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }) });
  await allowNumber(h.app.svc.store, '8008', { number: MOBILE, penalty: 1, name: 'Ivan' }, { source: 'cli', by: 'test' });
});
afterAll(() => h.stop());

describe('bearer tokens', () => {
  it('answers 401 with a JSON error and WWW-Authenticate without a token, or with one that is not ours', async () => {
    for (const token of [null, 'not-a-real-token-at-all-000', `${READ_TOKEN}x`]) {
      const res = await h.req('GET', '/queues', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // A path that exists nowhere is not revealed to strangers either.
    expect((await h.req('GET', '/no/such/thing', { token: null })).status).toBe(401);
    expect((await h.req('GET', '/events', { token: null })).status).toBe(401);
  });

  it('lets a read token read but refuses it every action with 403, changing nothing', async () => {
    expect((await h.req('GET', '/queues', { token: READ_TOKEN })).status).toBe(200);
    const actions: Array<[string, string, unknown]> = [
      ['POST', `/numbers/${MOBILE}/login`, { queues: ['8008'] }],
      ['POST', `/numbers/${MOBILE}/logout`, {}],
      ['POST', '/agents/7/pause', { reason: 'lunch' }],
      ['POST', '/agents/7/force-logout', undefined],
      ['PUT', `/allowlists/8008/numbers/79990001122`, { penalty: 0 }],
      ['DELETE', `/allowlists/8008/numbers/${MOBILE}`, undefined],
      ['PUT', '/allowlists/8008/policy', { policy: 'open' }],
    ];
    const auditBefore = (await readAudit(h.app.svc.store)).length;
    const actionsBefore = h.ami.actions.length;
    for (const [method, path, body] of actions) {
      const res = await h.req(method, path, { token: READ_TOKEN, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(h.ami.actions.length).toBe(actionsBefore);
    expect(h.ami.members('8008')).toEqual([]);
    expect((await readAudit(h.app.svc.store)).length).toBe(auditBefore);
    expect((await h.req('GET', '/allowlists/8008', { token: READ_TOKEN })).body).toMatchObject({ policy: 'list', numbers: [{ number: MOBILE }] });
  });

  it('logs each action with the token name, and never a token', async () => {
    await h.req('POST', `/numbers/${MOBILE}/logout`, { token: ADMIN_TOKEN, body: { queues: ['8008'] } });
    await h.req('GET', '/queues', { token: `${ADMIN_TOKEN}-wrong` });
    const lines = logLines.join('');
    expect(lines).toMatch(/"by":"supervisor"/);
    expect(lines).toMatch(/"tokens":\["wallboard:read","supervisor:admin"\]/);
    for (const secret of [ADMIN_TOKEN, READ_TOKEN]) expect(lines).not.toContain(secret);
  });

  it('answers unknown routes with a JSON 404 for a valid token', async () => {
    const res = await h.req('GET', '/no/such/thing', { token: READ_TOKEN });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('leaves /healthz and /readyz open for probes', async () => {
    expect(await h.req('GET', '/healthz', { token: null })).toMatchObject({ status: 200, body: { status: 'alive' } });
    expect(await h.req('GET', '/readyz', { token: null })).toMatchObject({ status: 200, body: { status: 'ready', checks: { ami: true, redis: true } } });
  });
});

describe('browser pages on another origin', () => {
  it('may call the API only from the configured origins; the preflight needs no token, the request does', async () => {
    const preflight = await fetch(`${h.base}/events`, { method: 'OPTIONS', headers: { origin: 'https://wallboard.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://wallboard.example');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);

    const get = await fetch(`${h.base}/queues`, { headers: { origin: 'https://wallboard.example', authorization: `Bearer ${READ_TOKEN}` } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('https://wallboard.example');
    const anon = await fetch(`${h.base}/queues`, { headers: { origin: 'https://wallboard.example' } });
    expect(anon.status).toBe(401);

    const other = await fetch(`${h.base}/queues`, { headers: { origin: 'https://evil.example', authorization: `Bearer ${READ_TOKEN}` } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const otherPreflight = await fetch(`${h.base}/events`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();

    const abort = new AbortController();
    const stream = await fetch(`${h.base}/events`, { headers: { origin: 'https://wallboard.example', authorization: `Bearer ${READ_TOKEN}` }, signal: abort.signal });
    expect(stream.headers.get('access-control-allow-origin')).toBe('https://wallboard.example');
    abort.abort();
  });
});

describe('the OpenAPI document', () => {
  it('describes every route with its role, parameters and bodies, and needs a token', async () => {
    expect((await h.req('GET', '/openapi.json', { token: null })).status).toBe(401);
    const { status, body: doc } = await h.req('GET', '/openapi.json', { token: READ_TOKEN });
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(routes).toEqual([
      'DELETE /allowlists/{queue}/numbers/{number}',
      'GET /agents', 'GET /agents/{id}', 'GET /allowlists', 'GET /allowlists/{queue}', 'GET /audit', 'GET /events',
      'GET /healthz', 'GET /metrics', 'GET /numbers', 'GET /numbers/{number}', 'GET /openapi.json', 'GET /queues', 'GET /queues/{queue}', 'GET /readyz',
      'GET /whoami',
      'POST /agents/{id}/force-logout', 'POST /agents/{id}/login', 'POST /agents/{id}/logout', 'POST /agents/{id}/pause', 'POST /agents/{id}/unpause',
      'POST /numbers/{number}/login', 'POST /numbers/{number}/logout', 'POST /numbers/{number}/pause', 'POST /numbers/{number}/unpause',
      'PUT /allowlists/{queue}/numbers/{number}', 'PUT /allowlists/{queue}/policy',
    ]);
    const login = doc.paths['/numbers/{number}/login'].post;
    expect(login.description).toMatch(/Role: admin/);
    expect(login.parameters).toEqual([expect.objectContaining({ name: 'number', in: 'path', required: true })]);
    expect(login.requestBody.content['application/json'].schema).toMatchObject({ required: ['queues'], additionalProperties: false });
    expect(Object.keys(login.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '503']);
    const pause = doc.paths['/numbers/{number}/pause'].post;
    expect(pause.description).toMatch(/Role: admin/);
    expect(pause.requestBody.content['application/json'].schema).toMatchObject({ additionalProperties: false, properties: { reason: expect.any(Object), queue: expect.any(Object) } });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/events'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
  });
});
