// The supervisor console: static HTML, CSS and JavaScript modules from
// lib/api/console, served at / on the API's own listener. The files are
// public (they hold nothing but code); every piece of data the console shows
// comes from the token-guarded routes. The token reaches the page in the URL
// fragment (/#token=...), which browsers never send, so it stays out of
// request lines and logs. Files are read once at start: a missing one stops
// the service at start, not a supervisor's screen later.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDoc } from '../openapi.ts';

const DIR = new URL('../console/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Same-origin code only: no inline script, no third-party host, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

interface StaticFile {
  type: string;
  body: Buffer;
  etag: string;
}

function loadFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(DIR)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (!type) continue;
    const body = readFileSync(new URL(name, DIR));
    files.set(name, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  if (!files.has('index.html')) throw new Error('lib/api/console/index.html is missing');
  return files;
}

const doc: { doc: RouteDoc } = { doc: { access: 'public', summary: 'Supervisor console (static files)', tag: 'console', hidden: true } };

export function consoleRoutes(app: FastifyInstance): void {
  const files = loadFiles();
  // Revalidated on every load (ETag), so a new version is seen at once after an upgrade.
  const send = (req: FastifyRequest, reply: FastifyReply, f: StaticFile) => {
    void reply
      .header('cache-control', 'no-cache')
      .header('etag', f.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CSP);
    if (req.headers['if-none-match'] === f.etag) return reply.code(304).send();
    return reply.type(f.type).send(f.body);
  };

  app.get('/', { config: doc }, (req, reply) => send(req, reply, files.get('index.html')!));

  app.get<{ Params: { file: string } }>('/console/:file', { config: doc }, (req, reply) => {
    const f = files.get(req.params.file);
    if (!f || req.params.file === 'index.html') return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return send(req, reply, f);
  });
}
