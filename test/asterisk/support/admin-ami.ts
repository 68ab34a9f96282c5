// The test's own AMI connection: a manager user with every right (never the
// service's user), to place calls, read Asterisk's state and watch its events.
// Deliberately tiny and independent of lib/ami, so a fault there cannot hide
// behind the tool that checks it.
import { EventEmitter } from 'node:events';
import net from 'node:net';

export type AmiMessage = Record<string, string>;

export interface AmiReply {
  response: AmiMessage;
  /** The events of a list reply (EventList: start ... Complete), without the Complete one. */
  events: AmiMessage[];
}

interface Pending {
  resolve(r: AmiReply): void;
  reject(e: Error): void;
  response?: AmiMessage;
  events: AmiMessage[];
  timer: NodeJS.Timeout;
}

function parse(block: string): AmiMessage {
  const msg: AmiMessage = {};
  for (const line of block.split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const key = line.slice(0, i);
    const value = line.slice(i + 1).replace(/^ /, '');
    // Command replies repeat `Output:`; keep every line.
    msg[key] = key in msg ? `${msg[key]}\n${value}` : value;
  }
  return msg;
}

export class AdminAmi extends EventEmitter<{ event: [AmiMessage] }> {
  private buf = '';
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private bannerSeen = false;
  private readonly sock: net.Socket;

  private constructor(sock: net.Socket) {
    super();
    this.sock = sock;
    this.setMaxListeners(100);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    sock.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('AMI connection closed'));
      this.pending.clear();
    });
    sock.on('error', () => undefined);
  }

  static async connect(port: number, username: string, secret: string): Promise<AdminAmi> {
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const ami = new AdminAmi(sock);
    const r = await ami.action({ Action: 'Login', Username: username, Secret: secret, Events: 'on' });
    if (r.response.Response !== 'Success') throw new Error(`admin AMI login refused: ${r.response.Message}`);
    return ami;
  }

  private onData(d: string): void {
    this.buf += d;
    if (!this.bannerSeen) {
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      this.buf = this.buf.slice(nl + 2);
      this.bannerSeen = true;
    }
    for (let i; (i = this.buf.indexOf('\r\n\r\n')) >= 0; ) {
      const msg = parse(this.buf.slice(0, i));
      this.buf = this.buf.slice(i + 4);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: AmiMessage): void {
    const p = msg.ActionID ? this.pending.get(msg.ActionID) : undefined;
    if (msg.Response !== undefined && p) {
      p.response = msg;
      if (msg.EventList !== 'start') this.settle(msg.ActionID!, p);
      return;
    }
    if (msg.Event !== undefined && p?.response) {
      if (msg.EventList === 'Complete') this.settle(msg.ActionID!, p);
      else p.events.push(msg);
      return;
    }
    if (msg.Event !== undefined) this.emit('event', msg);
  }

  private settle(id: string, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve({ response: p.response!, events: p.events });
  }

  /** Sends one action; header values must not hold CR or LF. */
  action(fields: Record<string, string | string[]>, timeoutMs = 10_000): Promise<AmiReply> {
    const id = `adm-${++this.seq}`;
    let text = '';
    for (const [k, v] of Object.entries({ ...fields, ActionID: id })) {
      for (const one of Array.isArray(v) ? v : [v]) {
        if (/[\r\n]/.test(one)) throw new Error(`AMI header ${k} holds CR/LF`);
        text += `${k}: ${one}\r\n`;
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`AMI ${String(fields.Action)} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, events: [], timer });
      this.sock.write(`${text}\r\n`);
    });
  }

  /** `Command`: the CLI output lines. */
  async command(cmd: string): Promise<string> {
    const r = await this.action({ Action: 'Command', Command: cmd });
    return r.response.Output ?? '';
  }

  async getGlobal(name: string): Promise<string> {
    const r = await this.action({ Action: 'Getvar', Variable: name });
    return r.response.Value ?? '';
  }

  async setGlobal(name: string, value: string): Promise<void> {
    const r = await this.action({ Action: 'Setvar', Variable: name, Value: value });
    if (r.response.Response !== 'Success') throw new Error(`Setvar ${name}: ${r.response.Message}`);
  }

  /** Resolves with the first event that `match` accepts within `timeoutMs`. */
  waitEvent(match: (e: AmiMessage) => boolean, what: string, timeoutMs = 10_000): Promise<AmiMessage> {
    return new Promise((resolve, reject) => {
      const on = (e: AmiMessage) => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.off('event', on);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.off('event', on);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.on('event', on);
    });
  }

  close(): void {
    this.sock.end('Action: Logoff\r\n\r\n');
    this.sock.destroy();
  }
}
