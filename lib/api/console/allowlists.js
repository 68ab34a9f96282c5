// The allowlists: per queue its policy and its numbers with penalty and name.
// Admin tokens add, change and remove numbers and set the policy, each through
// the API, its errors shown in words; read tokens see the lists only. Not part
// of the live stream: re-read when the view opens and after every change.
import { api, describeError, seg } from './api.js';
import { field, h, ask } from './dom.js';

const POLICY = { list: 'Only listed numbers', open: 'Any number (open)' };

export function createAllowlists({ root, isAdmin, toast, knownQueues }) {
  const status = h('p', { class: 'form-result', role: 'status' });
  const listsEl = h('div', { class: 'lists' });

  async function change(what, done, fn) {
    try {
      await fn();
      toast(done);
      await load();
      return true;
    } catch (err) {
      toast(`${what} failed: ${describeError(err)}`, 'error');
      return false;
    }
  }

  function addForm(queue) {
    return h('form', {
      class: 'inline-form', 'aria-label': queue ? `Add a number to queue ${queue}` : 'Add a number to a queue',
      onsubmit: async (e) => {
        e.preventDefault();
        const form = e.target;
        const f = new FormData(form);
        const q = queue ?? String(f.get('queue')).trim();
        const number = String(f.get('number')).trim();
        const name = String(f.get('name') ?? '').trim();
        const penalty = String(f.get('penalty') ?? '').trim();
        const ok = await change(`Adding ${number} to ${q}`, `${number} may now log in to ${q}`, () => api('PUT', `/allowlists/${seg(q)}/numbers/${seg(number)}`, { ...(name ? { name } : {}), ...(penalty ? { penalty: Number(penalty) } : {}) }));
        if (ok) form.reset();
      },
    },
    queue ? null : field('Queue', h('input', { name: 'queue', required: true, pattern: '[A-Za-z0-9_\\-]{1,64}', list: 'known-queues', autocomplete: 'off', placeholder: '8008' })),
    field('Number', h('input', { name: 'number', required: true, inputmode: 'tel', autocomplete: 'off', placeholder: '+7 911 222-33-44' })),
    field('Name', h('input', { name: 'name', maxlength: 64, autocomplete: 'off', placeholder: 'Ivan Petrov' })),
    field('Penalty', h('input', { name: 'penalty', type: 'number', min: 0, max: 1000, step: 1, inputmode: 'numeric', placeholder: '0' })),
    h('button', { type: 'submit' }, 'Add number'));
  }

  async function edit(queue, e) {
    const name = h('input', { name: 'name', maxlength: 64, value: e.name, required: true });
    const penalty = h('input', { name: 'penalty', type: 'number', min: 0, max: 1000, step: 1, value: String(e.penalty), required: true });
    const data = await ask({ title: `Change ${e.number} in queue ${queue}`, fields: [field('Name', name), field('Penalty', penalty, 'Used from the next login')], submit: 'Save' });
    if (!data) return;
    await change(`Changing ${e.number}`, `${e.number} changed in ${queue}`, () => api('PUT', `/allowlists/${seg(queue)}/numbers/${seg(e.number)}`, { name: String(data.get('name')), penalty: Number(data.get('penalty')) }));
  }

  async function remove(queue, e) {
    const data = await ask({ title: `Remove ${e.number} from queue ${queue}?`, fields: [h('p', {}, `${e.name} will no longer be able to log in to ${queue}. If logged in now, it stays in until it logs out.`)], submit: 'Remove', danger: true });
    if (!data) return;
    await change(`Removing ${e.number}`, `${e.number} removed from ${queue}`, () => api('DELETE', `/allowlists/${seg(queue)}/numbers/${seg(e.number)}`));
  }

  function policyControl(list) {
    if (!isAdmin) return h('p', { class: 'policy' }, 'Policy: ', h('strong', {}, POLICY[list.policy]));
    const id = `policy-${list.queue}`;
    const select = h('select', { id, name: 'policy' }, Object.entries(POLICY).map(([v, label]) => h('option', { value: v, ...(v === list.policy ? { selected: true } : {}) }, label)));
    return h('form', {
      class: 'policy inline-form', 'aria-label': `Policy of queue ${list.queue}`,
      onsubmit: (ev) => {
        ev.preventDefault();
        void change(`Setting the policy of ${list.queue}`, `${list.queue}: ${POLICY[select.value].toLowerCase()}`, () => api('PUT', `/allowlists/${seg(list.queue)}/policy`, { policy: select.value }));
      },
    }, h('label', { for: id }, 'Policy'), select, h('button', { type: 'submit' }, 'Set policy'));
  }

  function listCard(list) {
    const rows = list.numbers.map((e) => h('tr', { dataset: { number: e.number } },
      h('td', {}, e.number), h('td', {}, e.name), h('td', { class: 'num' }, String(e.penalty)),
      isAdmin ? h('td', { class: 'actions' },
        h('button', { type: 'button', 'aria-label': `Change ${e.number} in ${list.queue}`, onclick: () => edit(list.queue, e) }, 'Change…'),
        h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${e.number} from ${list.queue}`, onclick: () => remove(list.queue, e) }, 'Remove…')) : null));
    return h('article', { class: 'allowlist', dataset: { queue: list.queue }, 'aria-labelledby': `al-${list.queue}` },
      h('header', { class: 'qhead' }, h('h2', { id: `al-${list.queue}` }, `Queue ${list.queue}`), policyControl(list)),
      list.numbers.length
        ? h('table', {},
          h('caption', { class: 'sr-only' }, `Numbers allowed into queue ${list.queue}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Number'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'num' }, 'Penalty'), isAdmin ? h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')) : null)),
          h('tbody', {}, rows))
        : h('p', { class: 'empty' }, list.policy === 'open' ? 'No numbers listed; the queue is open to any number.' : 'No numbers listed: no one may log in.'),
      isAdmin ? addForm(list.queue) : null);
  }

  async function load() {
    status.textContent = 'Loading…';
    try {
      const lists = await api('GET', '/allowlists');
      lists.sort((a, b) => a.queue.localeCompare(b.queue, undefined, { numeric: true }));
      listsEl.replaceChildren(...(lists.length ? lists.map(listCard) : [h('p', { class: 'empty big' }, 'No queue has an allowlist yet: every queue refuses every number.')]));
      status.textContent = '';
    } catch (err) {
      status.textContent = `The allowlists could not be read: ${describeError(err)}`;
    }
  }

  const datalist = h('datalist', { id: 'known-queues' });
  root.replaceChildren(...[
    h('div', { class: 'view-head' }, h('h2', {}, 'Allowlists'), h('button', { type: 'button', class: 'quiet', onclick: () => load() }, 'Refresh')),
    status,
    isAdmin ? h('section', { class: 'panel', 'aria-label': 'Add a number to any queue' }, h('h3', {}, 'Add a number to a queue'), addForm(null), datalist) : null,
    listsEl,
  ].filter(Boolean));

  return {
    show() {
      datalist.replaceChildren(...knownQueues().map((q) => h('option', { value: q })));
      return load();
    },
  };
}
