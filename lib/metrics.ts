// Prometheus metrics. Counters and histograms are fed where things happen
// (a FastAGI session ends, an AMI action is answered, an API request ends);
// gauges are read from their sources when Prometheus scrapes, so nothing polls
// Asterisk or Redis on a timer. One registry per app (tests start several);
// the process metrics (memory, CPU, event loop) once per process.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueView } from './live/events.ts';
import { redisAnswers, type Store } from './store/redis.ts';

export interface MetricSources {
  ami?: { readonly connected: boolean };
  store?: Store;
  live?: { readonly synced: boolean; model: { queues(): QueueView[] } };
  streams?: { readonly open: number; readonly bufferedBytes?: number };
}

export interface Metrics {
  readonly contentType: string;
  /** The exposition text: this app's metrics and the process's. */
  text(): Promise<string>;
  fastagiSession(s: { script: string; outcome: string; code?: string; ms: number }): void;
  amiAction(a: { action: string; ms: number; error?: { code?: string } }): void;
  apiRequest(r: { method: string; route: string; status: number; ms: number }): void;
  /** A live stream the service ended (a slow reader, or over the streams' memory budget). */
  streamCut(reason: string): void;
  /** A member paused by the service after unanswered rings (lib/sync/auto-pause.ts). */
  autoPause(queue: string, reason: string): void;
  /** Where the gauges read from; call once the parts exist. */
  watch(sources: MetricSources): void;
}

let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'agentgate_' });
  }
  return processRegistry;
}

/** Redis must answer the scrape's PING within this, or it counts as down. */
const REDIS_PING_MS = 500;

export function createMetrics(): Metrics {
  const registry = new Registry();
  const src: MetricSources = {};
  const registers = [registry];

  const sessions = new Counter({ name: 'agentgate_fastagi_sessions_total', help: 'FastAGI sessions by script, outcome (ok, refused, error, hangup, ...) and the code the dialplan was given (empty when ok)', labelNames: ['script', 'outcome', 'code'], registers });
  const sessionSeconds = new Histogram({
    name: 'agentgate_fastagi_session_duration_seconds', help: 'FastAGI session duration (prompts and keyed digits included)', labelNames: ['script'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers,
  });
  const amiSeconds = new Histogram({
    name: 'agentgate_ami_action_duration_seconds', help: 'AMI action round trip by action and result (success, error, timeout, disconnected)', labelNames: ['action', 'result'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers,
  });
  const apiRequests = new Counter({ name: 'agentgate_api_requests_total', help: 'Admin API requests by route and status', labelNames: ['method', 'route', 'status'], registers });
  const apiSeconds = new Histogram({
    name: 'agentgate_api_request_duration_seconds', help: 'Admin API request duration (live streams excluded)', labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
  });

  new Gauge({
    name: 'agentgate_ami_connected', help: '1 while logged in to Asterisk over AMI', registers,
    collect() {
      this.set(src.ami?.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'agentgate_live_synced', help: '1 while the live model is rebuilt from Asterisk since the last AMI (re)connect', registers,
    collect() {
      this.set(src.live?.synced ? 1 : 0);
    },
  });
  new Gauge({
    name: 'agentgate_api_streams', help: 'Live event streams open', registers,
    collect() {
      this.set(src.streams?.open ?? 0);
    },
  });
  new Gauge({
    name: 'agentgate_api_stream_buffered_bytes', help: 'Bytes written to the live event streams and not yet read by their clients, all streams together (bounded by API_STREAM_BUFFER_BYTES)', registers,
    collect() {
      this.set(src.streams?.bufferedBytes ?? 0);
    },
  });
  const autoPauses = new Counter({ name: 'agentgate_auto_pauses_total', help: 'Members paused by the service after unanswered queue calls, by queue and reason', labelNames: ['queue', 'reason'], registers });
  const streamsCut = new Counter({ name: 'agentgate_api_streams_cut_total', help: 'Live event streams ended by the service, by reason (BUFFER_BUDGET, SLOW_READER)', labelNames: ['reason'], registers });
  // One PING per scrape: the first gauge collected takes it, the second reports its round trip.
  let pingSeconds: number | undefined;
  new Gauge({
    name: 'agentgate_redis_up', help: `1 when Redis answered the scrape's PING within ${REDIS_PING_MS} ms`, registers,
    async collect() {
      if (!src.store) return;
      const started = performance.now();
      const ok = await redisAnswers(src.store, REDIS_PING_MS);
      pingSeconds = ok ? (performance.now() - started) / 1000 : undefined;
      this.set(ok ? 1 : 0);
    },
  });
  new Gauge({
    name: 'agentgate_redis_ping_seconds', help: "Round trip of the scrape's Redis PING (absent when it failed)", registers,
    collect() {
      this.reset();
      if (pingSeconds !== undefined) this.set(pingSeconds);
    },
  });
  const perQueue = (name: string, help: string, pick: (q: QueueView) => number): void => {
    new Gauge({
      name, help, labelNames: ['queue'], registers,
      collect() {
        this.reset();
        for (const q of src.live?.model.queues() ?? []) this.set({ queue: q.queue }, pick(q));
      },
    });
  };
  perQueue('agentgate_queue_members', 'Members logged in per queue (paused ones included)', (q) => q.loggedIn);
  perQueue('agentgate_queue_members_paused', 'Paused members per queue', (q) => q.paused);
  perQueue('agentgate_queue_members_available', 'Members neither paused nor busy per queue', (q) => q.available);
  perQueue('agentgate_queue_callers', 'Callers waiting per queue', (q) => q.callers);

  return {
    contentType: registry.contentType,
    async text() {
      return (await registry.metrics()) + (await processMetrics().metrics());
    },
    fastagiSession(s) {
      sessions.inc({ script: s.script, outcome: s.outcome, code: s.code ?? '' });
      sessionSeconds.observe({ script: s.script }, s.ms / 1000);
    },
    amiAction(a) {
      const result = !a.error ? 'success' : a.error.code === 'AMI_TIMEOUT' ? 'timeout' : a.error.code === 'AMI_DISCONNECTED' ? 'disconnected' : 'error';
      amiSeconds.observe({ action: a.action, result }, a.ms / 1000);
    },
    apiRequest(r) {
      apiRequests.inc({ method: r.method, route: r.route, status: String(r.status) });
      apiSeconds.observe({ method: r.method, route: r.route }, r.ms / 1000);
    },
    streamCut(reason) {
      streamsCut.inc({ reason });
    },
    autoPause(queue, reason) {
      autoPauses.inc({ queue, reason });
    },
    watch(sources) {
      Object.assign(src, sources);
    },
  };
}
