// One AMI connection for the whole process, on the patched asterisk-manager
// (which owns framing, action ids, list replies, per-action timeouts, failing
// in-flight actions on a drop, and the reconnect back-off). This layer adds
// what a service needs on top: fail fast while disconnected, a Ping heartbeat
// for a peer that stalls without closing, one clear report of bad
// credentials, restart detection, typed actions, events and errors.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.ts';
import * as act from './actions.ts';
import {
  AmiAuthError,
  AmiDbDeleteFailedError,
  AmiDbEntryNotFoundError,
  AmiDisconnectedError,
  AmiError,
  errorFromLibrary,
  errorFromResponse,
} from './errors.ts';
import { isTypedEventName, parseTypedEvent, type AmiTypedEventMap } from './events.ts';
import { toWireHeaders, type HeaderInput } from './headers.ts';
import { asteriskManager, type AsteriskManager, type LibraryError, type RawList, type RawMessage } from './manager.ts';
import { toEvent, toResponse, type AmiEvent, type AmiResponse } from './parser.ts';

export type { AmiEvent, AmiResponse } from './parser.ts';
export type { QueueEntry, QueueMember, QueueParams, QueueSummary, QueueStatusResult } from './actions.ts';
export type * from './events.ts';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Deadline of every action (a list reply must be complete by then), and of the Login. */
  actionTimeoutMs: number;
  logger: Logger;
  /** Login `Events:` value, default 'off'. Restart detection needs system events ('on', or a mask naming 'system'); lib/ami/subscriptions.ts derives the service's. */
  events?: string;
  /** Reconnect back-off: between half and all of min(maxMs, minMs * 2^attempt). Default { minMs: 500, maxMs: 30000 }. */
  reconnect?: { minMs: number; maxMs: number };
  /** Heartbeat: a Ping this often; one unanswered within min(actionTimeoutMs, pingIntervalMs) drops and reconnects. Default 20000; 0 turns it off. */
  pingIntervalMs?: number;
  /** Told when each action() is answered or fails (metrics); not for login, heartbeat or Logoff. */
  onAction?: (a: { action: string; ms: number; error?: AmiError }) => void;
}

export interface AmiConnectedInfo {
  /** FullyBooted's Uptime (s) at this login; undefined when system events are off or none came. */
  uptime?: number;
  /** Asterisk restarted since the last login we saw (its Uptime is smaller than the time elapsed allows). */
  restarted: boolean;
}

export interface AmiClientEvents extends AmiTypedEventMap {
  connected: [AmiConnectedInfo];
  disconnected: [AmiDisconnectedError];
  authFailed: [AmiAuthError];
  event: [AmiEvent];
}

// Uptime is whole seconds: a boot moment that moved by less than this is the same boot.
const BOOT_TOLERANCE_S = 2;

export class AmiClient extends EventEmitter<AmiClientEvents> {
  readonly #opts: AmiClientOptions;
  readonly #log: Logger;
  readonly #pingIntervalMs: number;
  #manager: AsteriskManager | undefined;
  #ready = false;
  #closed = false;
  #session = 0;
  #authFailure: AmiAuthError | undefined;
  #waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #loginMask: string;
  #eventMask: string | undefined;
  #filters: string[] = [];
  #sessionUptime: number | undefined;
  #bootWaiter: (() => void) | undefined;
  #bootAt: number | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #pingInFlight = false;

  constructor(opts: AmiClientOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'ami' });
    this.#pingIntervalMs = opts.pingIntervalMs ?? 20_000;
    this.#loginMask = opts.events ?? 'off';
    // The library writes the Login itself: its values pass the same check as every action's.
    toWireHeaders({ Username: opts.username, Secret: opts.secret, Events: this.#loginMask });
  }

  /** Logged in now. */
  get connected(): boolean {
    return this.#ready;
  }

  /** Connects and stays connected in the background; stops for good on bad credentials ('authFailed'). */
  start(): void {
    if (this.#manager || this.#closed) return;
    const o = this.#opts;
    this.#log.info({ host: o.host, port: o.port, username: o.username }, 'AMI connecting');
    const m = asteriskManager(o.port, o.host, o.username, o.secret, this.#loginMask, {
      actionTimeout: o.actionTimeoutMs,
      reconnect: o.reconnect ?? { minMs: 500, maxMs: 30_000 },
    });
    this.#manager = m;
    m.on('loggedin', () => void this.#onLoggedIn());
    m.on('loginfailed', (err: LibraryError) => this.#onLoginFailed(err));
    m.on('close', () => this.#onClose());
    m.on('reconnecting', (r: { attempt: number; delayMs: number }) => {
      this.#log.info({ attempt: r.attempt, delayMs: r.delayMs }, 'AMI reconnecting');
    });
    m.on('error', (err: Error) => this.#log.debug({ err: err.message }, 'AMI socket error'));
    m.on('managerevent', (raw: RawMessage) => this.#onEvent(raw));
    m.keepConnected();
  }

  /** start(), resolved at the first successful login; rejects AmiAuthError on bad credentials. */
  connect(): Promise<void> {
    if (this.#authFailure) return Promise.reject(this.#authFailure);
    if (this.#closed) return Promise.reject(new AmiDisconnectedError('AMI client is closed'));
    this.start();
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Logoff, no reconnect; anything pending fails with AmiDisconnectedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#settleWaiters(new AmiDisconnectedError('AMI client closed'));
    const m = this.#manager;
    if (!m) return;
    if (this.#ready) {
      await this.#raw({ Action: 'Logoff' }, Math.min(this.#opts.actionTimeoutMs, 1000)).catch(() => undefined);
    }
    this.#ready = false;
    this.#session += 1;
    await new Promise<void>((resolve) => m.disconnect(resolve));
    this.#log.info('AMI closed');
  }

  /** Any action; a list reply (EventList) comes back whole in `events`. Fails fast while disconnected. */
  async action(headers: HeaderInput): Promise<AmiResponse> {
    const wire = toWireHeaders(headers);
    if (!this.#ready || this.#closed) {
      throw new AmiDisconnectedError(`AMI not connected; ${wire.Action ?? 'action'} not sent`, { action: wire.Action });
    }
    const observe = this.#opts.onAction;
    if (!observe) return this.#raw(wire);
    const started = performance.now();
    const action = wire.Action ?? '';
    try {
      const res = await this.#raw(wire);
      observe({ action, ms: performance.now() - started });
      return res;
    } catch (err) {
      observe({ action, ms: performance.now() - started, ...(err instanceof AmiError ? { error: err } : {}) });
      throw err;
    }
  }

  async queueAdd(a: act.QueueAddArgs): Promise<void> {
    await this.action(act.queueAddHeaders(a));
  }

  async queueMemberRingInUse(a: act.QueueMemberRingInUseArgs): Promise<void> {
    await this.action(act.queueMemberRingInUseHeaders(a));
  }

  async queueRemove(a: act.QueueRemoveArgs): Promise<void> {
    await this.action(act.queueRemoveHeaders(a));
  }

  async queuePause(a: act.QueuePauseArgs): Promise<void> {
    await this.action(act.queuePauseHeaders(a));
  }

  async queueStatus(a?: act.QueueStatusArgs): Promise<act.QueueStatusResult> {
    return act.parseQueueStatus(await this.action(act.queueStatusHeaders(a)));
  }

  async queueSummary(queue?: string): Promise<act.QueueSummary[]> {
    return act.parseQueueSummary(await this.action(act.queueSummaryHeaders(queue)));
  }

  /** Every dialplan hint with its state (ExtensionStateList, class call). */
  async extensionStates(): Promise<act.ExtensionState[]> {
    return act.parseExtensionStates(await this.action({ Action: 'ExtensionStateList' }));
  }

  async queueLog(a: act.QueueLogArgs): Promise<void> {
    await this.action(act.queueLogHeaders(a));
  }

  async userEvent(name: string, headers?: Record<string, string>): Promise<void> {
    await this.action(act.userEventHeaders(name, headers));
  }

  /** Global variable when no channel is given. */
  async setvar(variable: string, value: string, channel?: string): Promise<void> {
    await this.action(act.setvarHeaders(variable, value, channel));
  }

  /** '' when unset (Asterisk answers an empty Value). */
  async getvar(variable: string, channel?: string): Promise<string> {
    const res = await this.action(act.getvarHeaders(variable, channel));
    return res.headers.value ?? '';
  }

  /** undefined when Asterisk answers 'Database entry not found'. */
  async dbGet(family: string, key: string): Promise<string | undefined> {
    try {
      return act.parseDbGet(await this.action(act.dbGetHeaders(family, key)));
    } catch (err) {
      if (err instanceof AmiDbEntryNotFoundError) return undefined;
      throw err;
    }
  }

  async dbPut(family: string, key: string, value: string): Promise<void> {
    await this.action(act.dbPutHeaders(family, key, value));
  }

  /** false when Asterisk answers 'Database entry could not be deleted' (no such entry). */
  async dbDel(family: string, key: string): Promise<boolean> {
    try {
      await this.action(act.dbDelHeaders(family, key));
      return true;
    } catch (err) {
      if (err instanceof AmiDbDeleteFailedError) return false;
      throw err;
    }
  }

  /** CLI command; its `Output:` lines (Asterisk 14+). */
  async command(cmd: string): Promise<string[]> {
    return [...(await this.action(act.commandHeaders(cmd))).output];
  }

  async ping(): Promise<void> {
    await this.action({ Action: 'Ping' });
  }

  /** Action: Events. Re-applied after every reconnect. */
  async eventMask(mask: string): Promise<void> {
    await this.action(act.eventMaskHeaders(mask));
    this.#eventMask = mask;
  }

  /** Action: Filter. Filters belong to a connection; they are re-applied after every reconnect. */
  async filter(filter: string, operation: 'Add' = 'Add'): Promise<void> {
    await this.action(act.filterHeaders(filter, operation));
    if (!this.#filters.includes(filter)) this.#filters.push(filter);
  }

  // Sends through the library, whatever the connection state (login-time
  // actions, heartbeat, Logoff); maps every failure to a typed error.
  #raw(wire: Record<string, string>, timeoutMs?: number): Promise<AmiResponse> {
    const m = this.#manager;
    const name = wire.Action;
    if (!m) return Promise.reject(new AmiDisconnectedError('AMI client not started', { action: name }));
    return new Promise((resolve, reject) => {
      m.action(
        wire,
        (err, res, list) => {
          if (err instanceof Error) reject(errorFromLibrary(err, name));
          else if (err) reject(errorFromResponse(toResponse(err), name));
          else resolve(toResponse(res ?? {}, list as RawList | undefined));
        },
        timeoutMs,
      );
    });
  }

  async #onLoggedIn(): Promise<void> {
    const session = ++this.#session;
    this.#sessionUptime = undefined;
    await this.#awaitFullyBooted();
    if (session !== this.#session || this.#closed) return;
    await this.#restoreSubscriptions();
    if (session !== this.#session || this.#closed) return;
    const uptime = this.#sessionUptime;
    const restarted = this.#noteBoot(uptime);
    this.#ready = true;
    this.#startHeartbeat();
    this.#log.info({ uptime, restarted }, restarted ? 'AMI connected; Asterisk restarted' : 'AMI connected');
    this.#settleWaiters();
    this.emit('connected', { uptime, restarted });
  }

  // Asterisk sends FullyBooted right after the login reply when system events
  // are on, usually in the same read; wait a little for it when it can come.
  #awaitFullyBooted(): Promise<void> {
    if (!act.maskCarriesSystem(this.#loginMask)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#bootWaiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(1000, this.#opts.actionTimeoutMs));
      this.#bootWaiter = done;
      if (this.#sessionUptime !== undefined) done();
    });
  }

  // Events masks and filters live in Asterisk's session: a new connection starts without them.
  async #restoreSubscriptions(): Promise<void> {
    const steps: Array<Record<string, string>> = [];
    if (this.#eventMask !== undefined) steps.push(toWireHeaders(act.eventMaskHeaders(this.#eventMask)));
    for (const f of this.#filters) steps.push(toWireHeaders(act.filterHeaders(f)));
    for (const step of steps) {
      try {
        await this.#raw(step);
      } catch (err) {
        this.#log.warn({ action: step.Action, err: (err as Error).message }, 'AMI could not restore an event subscription');
      }
    }
  }

  // A restart moves Asterisk's boot moment (now - Uptime) forward. Comparing
  // boot moments rather than raw Uptime values also catches a restart that
  // happened long before we reconnected, when Uptime has grown past the last
  // value seen.
  #noteBoot(uptime: number | undefined): boolean {
    if (uptime === undefined) return false;
    const bootAt = performance.now() / 1000 - uptime;
    const previous = this.#bootAt;
    this.#bootAt = bootAt;
    return previous !== undefined && bootAt > previous + BOOT_TOLERANCE_S;
  }

  #onEvent(raw: RawMessage): void {
    const event = toEvent(raw);
    if (event.name === 'FullyBooted') this.#onFullyBooted(event);
    else if (event.name === 'Shutdown') this.#log.warn({ shutdown: event.headers.shutdown, restart: event.headers.restart }, 'Asterisk is shutting down');
    this.emit('event', event);
    const name = event.name;
    if (isTypedEventName(name)) {
      (this.emit as (n: string, payload: unknown) => boolean)(name, parseTypedEvent(name, event));
    }
  }

  #onFullyBooted(event: AmiEvent): void {
    const uptime = parseTypedEvent('FullyBooted', event).uptime;
    if (!this.#ready) {
      this.#sessionUptime = uptime;
      this.#bootWaiter?.();
      return;
    }
    // Logged in while Asterisk was still booting: FullyBooted comes later, and
    // may be the only sign of a restart. Report it as a fresh 'connected'.
    if (this.#noteBoot(uptime)) {
      this.#log.info({ uptime }, 'AMI: Asterisk restarted (FullyBooted during the session)');
      this.emit('connected', { uptime, restarted: true });
    }
  }

  #onLoginFailed(err: LibraryError): void {
    const failure = errorFromLibrary(err);
    const authError = failure instanceof AmiAuthError ? failure : new AmiAuthError(err.message);
    this.#authFailure = authError;
    this.#log.error(
      { host: this.#opts.host, port: this.#opts.port, username: this.#opts.username },
      `AMI login refused (${authError.message}): check the AMI username and secret; not retrying`,
    );
    this.#settleWaiters(authError);
    this.emit('authFailed', authError);
  }

  #onClose(): void {
    this.#session += 1;
    this.#bootWaiter?.();
    if (!this.#ready) return;
    this.#ready = false;
    this.#stopHeartbeat();
    if (this.#closed) return;
    const err = new AmiDisconnectedError('AMI connection lost');
    this.#log.warn('AMI connection lost; reconnecting');
    this.emit('disconnected', err);
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat();
    if (this.#pingIntervalMs <= 0) return;
    this.#pingTimer = setInterval(() => this.#heartbeat(), this.#pingIntervalMs);
    this.#pingTimer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  // A peer that stalls (accepts bytes, answers nothing) never closes the
  // socket; only an unanswered Ping shows it. Drop, and the library reconnects.
  #heartbeat(): void {
    const m = this.#manager;
    if (!m || !this.#ready || this.#pingInFlight) return;
    this.#pingInFlight = true;
    const session = this.#session;
    const timeoutMs = Math.min(this.#opts.actionTimeoutMs, this.#pingIntervalMs);
    this.#raw({ Action: 'Ping' }, timeoutMs)
      .catch((err: unknown) => {
        if (session !== this.#session || !(err instanceof AmiError) || err.code !== 'AMI_TIMEOUT') return;
        this.#log.warn({ timeoutMs }, 'AMI peer did not answer Ping; dropping the connection');
        m.drop();
      })
      .finally(() => {
        this.#pingInFlight = false;
      });
  }

  #settleWaiters(err?: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }
}
