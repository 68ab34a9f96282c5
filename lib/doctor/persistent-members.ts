// Asterisk's persistentmembers: whether dynamic members outlive a restart.
// Read from queues.conf [general] (default yes in app_queue); without the file,
// told from astdb: with persistentmembers on, app_queue keeps every queue's
// dynamic members under Queue/PersistentMembers/<queue> (dump_queue_members).
import type { AmiClient } from '../ami/client.ts';
import { AmiPermissionDeniedError } from '../ami/errors.ts';
import type { QueueMember } from '../ami/actions.ts';
import { ok, warn, type Check } from './report.ts';
import { isTrue, type Sections } from './queues-conf.ts';

const FIX = 'FreePBX: Settings > Advanced Settings > Persistent Members: Yes (queues.conf [general] persistentmembers = yes), then reload';

export function fromConf(conf: Sections): Check {
  const v = conf.get('general')?.get('persistentmembers');
  const on = v === undefined || isTrue(v);
  return on
    ? ok('persistentmembers', `Asterisk persistentmembers: ${v ?? 'yes (default)'}`)
    : warn('persistentmembers', 'Asterisk persistentmembers: no: a restart drops every dynamic member (agentgate puts back its own; others are lost)', FIX);
}

export async function fromAstdb(ami: AmiClient, members: readonly QueueMember[]): Promise<Check> {
  const dyn = members.find((m) => m.membership === 'dynamic');
  if (!dyn) return warn('persistentmembers', 'Asterisk persistentmembers: cannot tell (no queues.conf to read, no dynamic member to look up in astdb)', `make sure of it: ${FIX}`);
  try {
    const stored = await ami.dbGet('Queue/PersistentMembers', dyn.queue);
    return stored !== undefined
      ? ok('persistentmembers', `Asterisk persistentmembers: on (queue ${dyn.queue}'s dynamic members are in astdb)`)
      : warn('persistentmembers', `Asterisk persistentmembers: off (queue ${dyn.queue} has dynamic members, astdb has none)`, FIX);
  } catch (err) {
    if (err instanceof AmiPermissionDeniedError) return warn('persistentmembers', 'Asterisk persistentmembers: cannot tell (no queues.conf to read; DBGet needs reporting)', `make sure of it: ${FIX}`);
    throw err;
  }
}
