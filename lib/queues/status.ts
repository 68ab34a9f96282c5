import { isDynamic, type QueueMember } from '../asterisk/member.ts';
import { queueName } from '../validate.ts';
import { liveMembership, type QueuePbx } from '../asterisk/pbx.ts';

export type QueueStat = 'LOGGEDIN' | 'LOGGEDOUT' | 'STATIC' | 'NOQUEUES';

export interface NumberStatus {
  stat: QueueStat;
  /** Queues the interface is a dynamic member of. */
  dynamic: string[];
  /** Queues where it is a static (queues.conf / realtime) member. */
  static: string[];
  /** Queues where it is paused. */
  paused: string[];
}

/**
 * What FreePBX's `queue_devstate.agi getqueues` answers, from one QueueStatus
 * filtered by member instead of parsing `queue show` for every queue.
 * With queues named, the answer is about those; without, about all of them,
 * and NOQUEUES means a member of none.
 */
export async function memberStatus(pbx: QueuePbx, iface: string, queues?: string[]): Promise<NumberStatus> {
  const live = await liveMembership(pbx, iface);
  const wanted = queues ? new Set(queues.map(queueName)) : undefined;
  const members = [...live].filter(([q]) => !wanted || wanted.has(q));
  const names = (keep: (m: QueueMember) => boolean) => members.filter(([, m]) => keep(m)).map(([q]) => q).sort();
  const dynamic = names(isDynamic);
  const statics = names((m) => !isDynamic(m));
  const paused = names((m) => m.paused);
  let stat: QueueStat;
  if (dynamic.length) stat = 'LOGGEDIN';
  else if (statics.length) stat = 'STATIC';
  else stat = wanted ? 'LOGGEDOUT' : 'NOQUEUES';
  return { stat, dynamic, static: statics, paused };
}
