// The AMI side, plain asterisk-manager against the patched one and against
// AmiClient, in the same run, each client in a process of its own and one at a
// time, against one AMI double (its own process):
// - Pings per second with many in flight, and client CPU per action;
// - QueueStatus of a queue with 5,000 members: time to the whole list, client CPU;
// - an event flood in the recorded mix: client CPU per event, events per second.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild } from '../support/child.ts';
import { preparePristineAsteriskManager } from './pristine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface AmiBenchOptions {
  root: string;
  quick: boolean;
  log: (line: string) => void;
}

export interface AmiClientResult {
  flavour: 'plain' | 'patched' | 'agentgate';
  actions: { actions: number; window: number; wallMs: number; perSec: number; cpuUsPerAction: number };
  queueStatus: { members: number; reps: number; medianMs: number; minMs: number; cpuMsPerCall: number };
  flood: { events: number; wallMs: number; cpuMs: number; cpuUsPerEvent: number; eventsPerSec: number };
  peakRss?: number;
}

export interface AmiBenchResult {
  pristineFrom: string;
  members: number;
  floodEvents: number;
  clients: AmiClientResult[];
}

export async function runAmiBench(o: AmiBenchOptions): Promise<AmiBenchResult> {
  const pristine = preparePristineAsteriskManager(o.root);
  o.log(`ami: plain asterisk-manager 0.2.0 from ${pristine.how} (${pristine.dir})`);
  const double = await startChild(path.join(here, 'double-child.ts'));
  const members = 5000;
  const floodEvents = o.quick ? 20_000 : 100_000;
  const actions = o.quick ? { total: 20_000, window: 1000, warmup: 2000 } : { total: 100_000, window: 1000, warmup: 10_000 };
  const reps = o.quick ? 5 : 20;
  const clients: AmiClientResult[] = [];
  try {
    await double.call('addMembers', { queue: '8009', count: members });
    await double.call('floodPrepare', { events: floodEvents });
    for (const flavour of ['plain', 'patched', 'agentgate'] as const) {
      o.log(`  ami: ${flavour}`);
      const c = await startChild(path.join(here, 'client-child.ts'), {
        args: [flavour],
        env: { BENCH_AMI_PORT: String(double.info.port), BENCH_PRISTINE_DIR: pristine.dir },
      });
      try {
        const a = await c.call<AmiClientResult['actions']>('actions', actions);
        const q = await c.call<AmiClientResult['queueStatus']>('queueStatus', { queue: '8009', reps });
        await c.call('floodArm');
        await double.call('floodSend');
        const f = await c.call<AmiClientResult['flood']>('floodWait');
        if (f.events !== floodEvents) throw new Error(`${flavour} counted ${f.events} of ${floodEvents} flood events`);
        if (q.members !== members) throw new Error(`${flavour} collected ${q.members} of ${members} queue members`);
        clients.push({ flavour, actions: a, queueStatus: q, flood: f, peakRss: await c.call<number | undefined>('peak') });
      } finally {
        await c.stop();
      }
    }
  } finally {
    await double.stop();
    pristine.remove();
  }
  return { pristineFrom: pristine.how, members, floodEvents, clients };
}
