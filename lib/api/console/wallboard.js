// The wallboard: per queue its members (who, how they ring, what they are
// doing and since when), its waiting callers and its counters, redrawn from
// the Board on every live change; and, for admin tokens, the actions on each
// member and the log-in forms. Read tokens get no action controls at all.
import { api, describeError, seg } from './api.js';
import { kindOf, stateOf } from './board.js';
import { clock, field, h, replaceChildren, since, ask } from './dom.js';

const KIND = { mobile: 'Mobile', desk: 'Desk phone', agent: 'Agent', other: 'Other' };
const REASON = '[A-Za-z0-9_.\\-]{1,32}';

/** The dialplan context of a Local/<number>@<context> member: its logout must name it. */
const contextOf = (iface) => /^Local\/[^@]+@([^/]+)/i.exec(iface)?.[1];

export function createWallboard({ root, board, isAdmin, toast }) {
  const agentNames = new Map();
  let namesWanted = false;
  const queuesEl = h('div', { class: 'queues' });
  const activityEl = h('ol', { class: 'activity-list' });

  async function loadAgentNames() {
    if (namesWanted) return;
    namesWanted = true;
    try {
      for (const a of await api('GET', '/agents')) agentNames.set(a.id, a.name);
      render();
    } catch { /* names are a nicety: ids are shown meanwhile */ }
    namesWanted = false;
  }

  // ---- actions (admin) ------------------------------------------------------

  async function act(what, done, fn) {
    try {
      await fn();
      toast(done);
    } catch (err) {
      toast(`${what} failed: ${describeError(err)}`, 'error');
    }
  }

  function memberActions(m) {
    if (!isAdmin) return null;
    if (m.membership === 'static') return h('div', { class: 'actions' }, h('span', { class: 'muted' }, 'Static member (queues.conf)'));
    const label = displayName(m);
    const fk = (a) => `${a}:${m.queue}:${m.interface}`;
    if (m.agent) {
      const id = m.agent;
      return h('div', { class: 'actions' },
        m.paused
          ? h('button', { type: 'button', dataset: { focus: fk('unpause') }, 'aria-label': `Unpause ${label}`, onclick: () => act(`Unpausing agent ${id}`, `Agent ${id} unpaused`, () => api('POST', `/agents/${seg(id)}/unpause`, {})) }, 'Unpause')
          : h('button', { type: 'button', dataset: { focus: fk('pause') }, 'aria-label': `Pause ${label}`, onclick: () => pauseAgent(m) }, 'Pause…'),
        h('button', { type: 'button', dataset: { focus: fk('logout') }, 'aria-label': `Log out ${label}`, onclick: () => act(`Logging out agent ${id}`, `Agent ${id} logged out`, () => api('POST', `/agents/${seg(id)}/logout`)) }, 'Log out'),
        h('button', { type: 'button', class: 'danger', dataset: { focus: fk('force') }, 'aria-label': `Force logout of ${label}`, onclick: () => forceLogout(m) }, 'Force logout'));
    }
    if (!m.number) return null;
    const ctx = contextOf(m.interface);
    return h('div', { class: 'actions' },
      h('button', {
        type: 'button', dataset: { focus: fk('logout') }, 'aria-label': `Log out ${label} from queue ${m.queue}`,
        onclick: () => act(`Logging out ${m.number}`, `${m.number} logged out of ${m.queue}`, () => api('POST', `/numbers/${seg(m.number)}/logout`, { queues: [m.queue], ...(ctx ? { context: ctx } : {}) })),
      }, 'Log out'));
  }

  async function pauseAgent(m) {
    const reason = h('input', { name: 'reason', pattern: REASON, maxlength: 32, autocomplete: 'off', placeholder: 'lunch' });
    const only = h('input', { type: 'checkbox', name: 'only', id: `only-${Math.random().toString(36).slice(2)}` });
    const data = await ask({
      title: `Pause ${displayName(m)}`,
      fields: [
        field('Reason', reason, 'Letters, digits, . _ - (up to 32); optional'),
        h('div', { class: 'check' }, only, h('label', { for: only.id }, `Only in queue ${m.queue} (otherwise every queue of the agent)`)),
      ],
      submit: 'Pause',
    });
    if (!data) return;
    const body = { ...(data.get('reason') ? { reason: String(data.get('reason')) } : {}), ...(data.get('only') ? { queue: m.queue } : {}) };
    await act(`Pausing agent ${m.agent}`, `Agent ${m.agent} paused`, () => api('POST', `/agents/${seg(m.agent)}/pause`, body));
  }

  async function forceLogout(m) {
    const data = await ask({
      title: `Force logout of agent ${m.agent}?`,
      fields: [h('p', {}, 'Removes every member of this agent Asterisk has, wherever it is, and releases its phones. Use it when a normal log-out does not work.')],
      submit: 'Force logout',
      danger: true,
    });
    if (!data) return;
    await act(`Forced logout of agent ${m.agent}`, `Agent ${m.agent} logged out by force`, () => api('POST', `/agents/${seg(m.agent)}/force-logout`));
  }

  function loginPanel() {
    const result = (form) => form.querySelector('.form-result');
    const run = async (form, what, fn) => {
      const out = result(form);
      out.className = 'form-result';
      out.textContent = `${what}…`;
      try {
        out.textContent = await fn();
        out.classList.add('ok');
      } catch (err) {
        out.textContent = describeError(err);
        out.classList.add('error');
      }
    };
    const numberForm = h('form', {
      class: 'mini-form', 'aria-labelledby': 'login-number-title',
      onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const queues = String(f.get('queues')).split(/[\s,]+/).filter(Boolean);
        const context = String(f.get('context') ?? '').trim();
        void run(e.target, 'Logging in', async () => {
          const r = await api('POST', `/numbers/${seg(String(f.get('number')).trim())}/login`, { queues, ...(context ? { context } : {}) });
          return `${r.number} is ${r.state === 'LOGGEDIN' ? 'logged in to' : r.state.toLowerCase() + ' in'} ${r.queues.map((q) => q.queue).join(', ')}`;
        });
      },
    },
    h('h3', { id: 'login-number-title' }, 'Log a number in'),
    field('Number', h('input', { name: 'number', required: true, inputmode: 'tel', autocomplete: 'off', placeholder: '+7 911 222-33-44' })),
    field('Queues', h('input', { name: 'queues', required: true, autocomplete: 'off', placeholder: '8008, 8009' }), 'Comma-separated'),
    field('Context', h('input', { name: 'context', autocomplete: 'off', placeholder: 'default (MEMBER_CONTEXT)' }), 'Desk phones in FreePBX: from-queue'),
    h('button', { type: 'submit' }, 'Log in number'),
    h('p', { class: 'form-result', role: 'status' }));

    const agentForm = h('form', {
      class: 'mini-form', 'aria-labelledby': 'login-agent-title',
      onsubmit: (e) => {
        e.preventDefault();
        const f = new FormData(e.target);
        const id = String(f.get('agent')).trim();
        const context = String(f.get('context') ?? '').trim();
        void run(e.target, 'Logging in', async () => {
          const r = await api('POST', `/agents/${seg(id)}/login`, { phone: String(f.get('phone')).trim(), ...(context ? { context } : {}) });
          return r.already ? `Agent ${r.agentId} was already logged in at ${r.phone}` : `Agent ${r.agentId} logged in at ${r.phone}${r.movedFrom ? ` (moved from ${r.movedFrom})` : ''}`;
        });
      },
    },
    h('h3', { id: 'login-agent-title' }, 'Log an agent in'),
    field('Agent ID', h('input', { name: 'agent', required: true, inputmode: 'numeric', pattern: '[0-9]{1,20}', autocomplete: 'off', placeholder: '7001' })),
    field('Phone', h('input', { name: 'phone', required: true, inputmode: 'tel', autocomplete: 'off', placeholder: '1001' })),
    field('Context', h('input', { name: 'context', autocomplete: 'off', placeholder: 'default (MEMBER_CONTEXT)' })),
    h('button', { type: 'submit' }, 'Log in agent'),
    h('p', { class: 'form-result', role: 'status' }));

    return h('details', { class: 'panel login-panel' }, h('summary', {}, 'Log someone in'), h('div', { class: 'forms' }, numberForm, agentForm));
  }

  // ---- drawing ----------------------------------------------------------------

  function displayName(m) {
    if (m.agent) return agentNames.get(m.agent) ?? m.name ?? `Agent ${m.agent}`;
    return m.name || m.number || m.interface;
  }

  function identity(m) {
    const kind = kindOf(m);
    const parts = [];
    if (m.agent) {
      parts.push(`Agent ${m.agent}`);
      const at = board.agents.get(m.agent)?.phone ?? m.number;
      if (at) parts.push(`at ${at}`);
    } else if (m.number && m.number !== m.name) {
      parts.push(m.number);
    }
    return h('div', { class: 'mwho' },
      h('span', { class: 'name' }, displayName(m)),
      h('span', { class: 'ident' }, h('span', { class: `kind kind-${kind}` }, KIND[kind]), parts.length ? ` ${parts.join(' ')}` : ''));
  }

  function stateCell(m) {
    const st = stateOf(m);
    const bits = [h('span', { class: `badge st-${st.word}` }, st.label)];
    if (st.word === 'oncall' && m.call) bits.push(' ', h('span', { class: 'detail' }, `with ${m.call.remote || 'unknown'}${m.call.remoteName && m.call.remoteName !== m.call.remote ? ` (${m.call.remoteName})` : ''}`));
    if (st.word === 'paused' && m.reason) bits.push(' ', h('span', { class: 'detail reason' }, m.reason));
    if (st.from) bits.push(' ', since(st.from));
    if (st.word === 'oncall' && m.paused) bits.push(' ', h('span', { class: 'badge st-paused small' }, `Paused${m.reason ? `: ${m.reason}` : ''}`));
    return h('div', { class: 'state' }, bits);
  }

  function memberRow(m) {
    const st = stateOf(m);
    return h('li', { class: `member st-${st.word}`, dataset: { queue: m.queue, interface: m.interface, ...(m.number ? { number: m.number } : {}), ...(m.agent ? { agent: m.agent } : {}) } },
      identity(m),
      stateCell(m),
      h('div', { class: 'since' }, m.since ? ['In since ', h('time', { datetime: new Date(m.since).toISOString() }, clock(m.since)), ' · ', since(m.since)] : (m.membership === 'static' ? 'Static member' : '')),
      memberActions(m));
  }

  function counter(label, value, extra = {}) {
    return h('div', { class: 'counter', ...extra }, h('dt', {}, label), h('dd', {}, String(value)));
  }

  function queueCard(q) {
    const id = `q-${q.queue.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const c = q.counters;
    return h('article', { class: 'queue', 'aria-labelledby': id, dataset: { queue: q.queue } },
      h('header', { class: 'qhead' },
        h('h2', { id }, `Queue ${q.queue}`),
        h('dl', { class: 'counters' },
          counter('Logged in', c.loggedIn),
          counter('Available', c.available, { class: 'counter good' }),
          counter('On call', c.onCall),
          counter('Paused', c.paused),
          counter('Waiting', c.waiting, { class: c.waiting > 0 ? 'counter hot' : 'counter' }),
          counter('Answered', c.answered, { title: "Calls answered by the members logged in now (Asterisk's CallsTaken, and calls in progress)" }),
          counter('Abandoned', c.abandoned, { title: 'Callers who hung up while waiting, since this page opened' }),
          counter('No answer', c.noAnswer, { title: 'Members rung who did not answer, since this page opened' }))),
      q.members.length
        ? h('ul', { class: 'members', 'aria-label': `Members of queue ${q.queue}` }, q.members.map(memberRow))
        : h('p', { class: 'empty' }, 'No one is logged in.'),
      h('h3', { class: 'waiting-title' }, `Waiting callers (${q.waiting.length})`),
      q.waiting.length
        ? h('ol', { class: 'waiting', 'aria-label': `Callers waiting in queue ${q.queue}` }, q.waiting.map((w) => h('li', {},
          h('span', { class: 'pos' }, String(w.position)),
          h('span', { class: 'caller' }, w.number || 'unknown', w.name && w.name !== w.number ? h('span', { class: 'muted' }, ` ${w.name}`) : null),
          h('span', { class: 'wait' }, 'waiting ', since(w.since)))))
        : h('p', { class: 'empty' }, 'No one is waiting.'));
  }

  function render() {
    const queues = board.view();
    replaceChildren(queuesEl, queues.length
      ? queues.map(queueCard)
      : h('p', { class: 'empty big' }, board.snapshotAt ? 'Asterisk reports no queues yet.' : 'Connecting to the live stream…'));
    replaceChildren(activityEl, board.activity.length
      ? board.activity.map((a) => h('li', { class: `act-${a.kind}` }, h('time', { datetime: new Date(a.at).toISOString() }, clock(a.at)), ' ', a.text))
      : h('li', { class: 'muted' }, 'Changes will appear here as they happen.'));
  }

  root.replaceChildren(...[
    isAdmin ? loginPanel() : null,
    queuesEl,
    h('aside', { class: 'activity', 'aria-labelledby': 'activity-title' }, h('h2', { id: 'activity-title' }, 'Activity'), activityEl),
  ].filter(Boolean));

  let pending = false;
  return {
    /** Redraws once the current burst of events is read: a burst costs one drawing. */
    changed(type, data) {
      if (type === 'snapshot' || (type === 'agentLoggedIn' && !agentNames.has(data.agent))) void loadAgentNames();
      if (pending) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        render();
      }, 0);
    },
    render,
  };
}
