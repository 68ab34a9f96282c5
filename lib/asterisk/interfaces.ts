// Queue member interfaces, as app_queue names and compares them: the one place
// that builds or reads one.
import type { MemberStyle } from '../config.ts';
import { queueName } from '../validate.ts';

/** The shipped dialplan's context that rings a mobile and asks it to confirm on answer (dialplan/extensions_custom.conf). */
export const CONFIRM_CONTEXT = 'agentgate-confirm';


const isDesk = (context: string, style: MemberStyle) => style.deskContexts.some((c) => c.toLowerCase() === context.toLowerCase());

/**
 * The member interface that rings a number through a context (FreePBX:
 * outbound-allroutes, from-queue). With a style that asks for it, a mobile
 * rings through the confirm context, `Local/<n>*<context>@agentgate-confirm/n`,
 * which dials `<n>@<context>` and asks for a key on answer.
 */
export function localInterface(number: string, context: string, style?: MemberStyle): string {
  if (style?.confirmAnswer && !isDesk(context, style) && !style.confirmOffNumbers.includes(number)) return `Local/${number}*${context}@${CONFIRM_CONTEXT}/n`;
  return `Local/${number}@${context}/n`;
}

/** The interfaces a number may already be a member under (added before confirm was turned on): the current one first. */
export function knownInterfaces(number: string, context: string, style?: MemberStyle): string[] {
  const now = localInterface(number, context, style);
  const plain = localInterface(number, context);
  return now === plain ? [plain] : [now, plain];
}

/** What QueueAdd needs besides the interface: a desk's state interface, a mobile's ring-in-use. Pure. */
export function memberAddOptions(iface: string, style: MemberStyle | undefined): { stateInterface?: string; ringInUse?: boolean } {
  if (!style) return {};
  const m = /^Local\/([^@/*]+)(?:\*[^@/]*)?@([^/]+)\/n$/i.exec(iface);
  if (!m) return {};
  const [, number, context] = m as unknown as [string, string, string];
  if (isDesk(context, style)) return style.deskStateInterface ? { stateInterface: style.deskStateInterface.replace('{ext}', number) } : {};
  return style.mobileRingInUse ? {} : { ringInUse: false };
}

/** Asterisk compares queue names and member interfaces without case. */
export function memberKey(queue: string, iface: string): string {
  return `${queueName(queue)}\u0000${iface.toLowerCase()}`;
}

/** The same interface, as Asterisk compares them. */
export function sameInterface(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const NUMBER = /^[A-Za-z0-9_.+-]{1,64}$/;

/**
 * The number (phone) a member interface rings, as old dialplans and
 * wallboards name it: `Local/79112223344@ctx/n` -> 79112223344, `PJSIP/1001`
 * -> 1001. undefined when it names no such thing (a channel with options, odd
 * characters): the result becomes a key or a variable name.
 */
export function numberOfInterface(iface: string): string | undefined {
  const m = /^Local\/([^@/*]+)(?:\*[^@/]*)?@/i.exec(iface) ?? /^[A-Za-z0-9_]+\/([^/@;&]+)$/.exec(iface);
  const n = m?.[1];
  return n !== undefined && NUMBER.test(n) ? n : undefined;
}

/**
 * A member seen only in Asterisk: a mobile member `Local/<digits>@<context>...`
 * is that number; anything else (PJSIP/1001, SIP/...) is recorded under its
 * interface, since nothing says which number or agent it belongs to.
 */
export function externalIdentity(iface: string): { kind: 'number'; subject: string } {
  const local = /^Local\/(\d+)(?:\*[^@/]*)?@/i.exec(iface);
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
  const dev = iface.slice(slash + 1).split(/[@/;,*]/, 1)[0] ?? '';
  return DEVICE.test(dev) ? dev : undefined;
}
