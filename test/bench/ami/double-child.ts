// The AMI double (test/doubles/ami-asterisk.ts) in a process of its own, so its
// CPU is never counted as the service's. It stands in for Asterisk: the runner
// can fill a queue, flood the connected clients with recorded events, and read
// the members back to check them against what the toggles said.
import { startAmiDouble } from '../../doubles/ami-asterisk.ts';
import { serve } from '../support/child.ts';
import { statsHandlers } from '../support/self-stats.ts';
import { floodText } from './flood-events.ts';

// BENCH_AMI_QUEUES: how many queues Asterisk has (a QueueStatus for one member
// still lists every queue's QueueParams); 8008 and 8009 are always among them.
const queueCount = Math.max(2, Number(process.env.BENCH_AMI_QUEUES ?? 2));
const queues = ['8008', '8009', ...Array.from({ length: queueCount - 2 }, (_, i) => String(9000 + i))];
const double = await startAmiDouble({ username: 'agentgate', secret: 'bench', queues });

// The double keeps every action it receives for tests to inspect; a soak sends
// hundreds of thousands. Drop them as they come: nothing here reads them.
setInterval(() => {
  double.actions.splice(0);
  double.queueLog.splice(0);
}, 500).unref();

let flood = '';

serve(
  {
    ...statsHandlers,
    addMembers: (a: { queue: string; count: number }) => {
      for (let i = 0; i < a.count; i++) {
        const n = String(79_000_000_000 + i);
        double.addMember(a.queue, `Local/${n}@outbound-allroutes/n`, { name: `Agent ${n}`, penalty: i % 5 });
      }
      return double.members(a.queue).length;
    },
    /** Interfaces of the members of `queue`, sorted. */
    members: (a: { queue: string }) => double.members(a.queue).map((m) => m.interface).sort(),
    floodPrepare: (a: { events: number }) => {
      // A closing marker the clients wait for: when it arrives, all before it was parsed.
      flood = `${floodText(a.events)}Event: BenchFloodEnd\r\nPrivilege: user,all\r\n\r\n`;
      return flood.length;
    },
    floodSend: () => {
      double.sendRaw(flood);
    },
    stop: () => double.stop(),
  },
  { port: double.port },
);
