// Who a queue member is, read from its interface alone: what a member added
// outside agentgate (FreePBX GUI, CLI) is recorded as, and which device its BLF
// lamp is named after.

/** Asterisk compares queue names and member interfaces without case (app_queue's hash and compare functions). */
export function memberKey(queue: string, iface: string): string {
  return `${queue.toLowerCase()}\u0000${iface.toLowerCase()}`;
}

/**
 * A member seen only in Asterisk: a mobile member `Local/<digits>@<context>...`
 * is that number; anything else (PJSIP/1001, SIP/...) is recorded under its
 * interface, since nothing says which number or agent it belongs to.
 */
export function externalIdentity(iface: string): { kind: 'number'; subject: string } {
  const local = /^Local\/(\d+)@/i.exec(iface);
  return { kind: 'number', subject: local?.[1] ?? iface };
}

const DEVICE = /^[A-Za-z0-9_+.-]+$/;

/**
 * The device part of an interface, as FreePBX names queue lamps after it:
 * `Local/79112223344@from-queue/n` -> 79112223344, `PJSIP/1001` -> 1001.
 * undefined when it holds characters a lamp name cannot carry.
 */
export function deviceOf(iface: string): string | undefined {
  const slash = iface.indexOf('/');
  if (slash === -1) return undefined;
  const dev = iface.slice(slash + 1).split(/[@/;,]/, 1)[0] ?? '';
  return DEVICE.test(dev) ? dev : undefined;
}
