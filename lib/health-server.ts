// Two fixed paths over node:http, for an operator and a container runtime:
// GET /healthz  200 while the process runs (liveness: restart me if this fails);
// GET /readyz   200 when FastAGI is listening, AMI logged in and Redis
//               answering, else 503; the JSON body says which check failed.
import http from 'node:http';
import type net from 'node:net';
import type { Health } from './health.ts';
import type { Logger } from './log.ts';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Probes are few and quick: more connections than this are closed at once, and any silent for idleMs is closed. */
export const HEALTH_LIMITS = { maxConnections: 32, idleMs: 5000 };

export async function startHealthServer(o: { host: string; port: number; check: () => Promise<Health>; log: Logger; limits?: typeof HEALTH_LIMITS }): Promise<HealthServer> {
  const limits = o.limits ?? HEALTH_LIMITS;
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    const path = (req.url ?? '').split('?', 1)[0];
    if (path === '/healthz') return send(200, { status: 'alive' });
    if (path !== '/readyz') return send(404, { error: 'not found' });
    o.check().then(
      (h) => send(h.ready ? 200 : 503, { status: h.ready ? 'ready' : 'degraded', ...h }),
      (err: Error) => send(503, { status: 'degraded', reasons: [`health check failed: ${err.message}`] }),
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  // A health probe never holds a connection open for long, and idle ones cannot
  // pile up: 1,100 of them once took the descriptors FastAGI calls needed.
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.idleMs;
  server.requestTimeout = limits.idleMs;
  server.keepAliveTimeout = 1000;
  server.timeout = limits.idleMs; // no traffic either way: the socket is destroyed
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => o.log.error({ err }, 'health listener error'));
  const port = (server.address() as net.AddressInfo).port;
  o.log.info({ host: o.host, port }, 'health listening (/healthz, /readyz)');
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
