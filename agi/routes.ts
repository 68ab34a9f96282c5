// The FastAGI route table: agi://host:4573/<name> runs the script registered
// under <name> here, and nothing else does. Each script is one file of this
// folder, built with the shared services.
import type { Routes } from '../lib/agi/router.ts';
import type { Services } from '../lib/services.ts';
import agentForceLogout from './agent-force-logout.ts';
import agentLogin from './agent-login.ts';
import agentLogout from './agent-logout.ts';
import agentPause from './agent-pause.ts';
import agentStatus from './agent-status.ts';
import agentToggle from './agent-toggle.ts';
import queueLogin from './queue-login.ts';
import queueLogout from './queue-logout.ts';
import queuePause from './queue-pause.ts';
import queueStatus from './queue-status.ts';
import queueToggle from './queue-toggle.ts';

export function routes(svc: Services): Routes {
  return {
    'queue-toggle': queueToggle(svc),
    'queue-login': queueLogin(svc),
    'queue-logout': queueLogout(svc),
    'queue-status': queueStatus(svc),
    'queue-pause': queuePause(svc),
    'agent-login': agentLogin(svc),
    'agent-logout': agentLogout(svc),
    'agent-toggle': agentToggle(svc),
    'agent-pause': agentPause(svc),
    'agent-status': agentStatus(svc),
    'agent-force-logout': agentForceLogout(svc),
  };
}
