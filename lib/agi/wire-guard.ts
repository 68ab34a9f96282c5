// Byte-level limits on what a FastAGI peer sends, checked on every chunk before
// anything is parsed, so a 1 MB line or an endless environment costs a bounded
// amount of memory and closes the session. Also spots a peer that is not
// Asterisk at all (an HTTP request, a TLS hello): an environment starts `agi_`.

export type WireViolation = 'line-too-long' | 'env-too-large' | 'garbage';

const LF = 0x0a;
const AGI_PREFIX = Buffer.from('agi_');

export class WireGuard {
  readonly #maxLineBytes: number;
  readonly #maxEnvBytes: number;
  #lineBytes = 0; // bytes of the current line so far, LF excluded
  #envBytes = 0;
  #envDone = false;
  #received = 0;

  constructor(limits: { maxLineBytes: number; maxEnvBytes: number }) {
    this.#maxLineBytes = limits.maxLineBytes;
    this.#maxEnvBytes = limits.maxEnvBytes;
  }

  /** True once the empty line ending the environment went by. */
  get environmentDone(): boolean {
    return this.#envDone;
  }

  /** Checks one chunk; returns the first limit it breaks, if any. */
  push(chunk: Uint8Array): WireViolation | undefined {
    for (let i = this.#received; i < AGI_PREFIX.length && i < this.#received + chunk.length; i++) {
      if (chunk[i - this.#received] !== AGI_PREFIX[i]) return 'garbage';
    }
    this.#received += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      const line = this.#lineBytes + (nl - start);
      if (line > this.#maxLineBytes) return 'line-too-long';
      if (!this.#envDone) {
        this.#envBytes += nl + 1 - start;
        if (this.#envBytes > this.#maxEnvBytes) return 'env-too-large';
        if (line === 0) this.#envDone = true;
      }
      this.#lineBytes = 0;
      start = nl + 1;
    }
    this.#lineBytes += chunk.length - start;
    if (this.#lineBytes > this.#maxLineBytes) return 'line-too-long';
    if (!this.#envDone) {
      this.#envBytes += chunk.length - start;
      if (this.#envBytes > this.#maxEnvBytes) return 'env-too-large';
    }
    return undefined;
  }
}
