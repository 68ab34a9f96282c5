// The audit trail, newest first: a page of entries read from the API, older
// pages on demand, and filters applied to what is loaded (the API pages by
// time only, so a filter says how many loaded entries it shows).
import { api, describeError } from './api.js';
import { clock, field, h } from './dom.js';

const PAGE = 200;
const FILTERS = [['subject', 'Number or agent'], ['queue', 'Queue'], ['action', 'Action'], ['result', 'Result'], ['source', 'Source'], ['by', 'By']];

export function createAudit({ root }) {
  let entries = [];
  let next = null;
  const status = h('p', { class: 'form-result', role: 'status' });
  const body = h('tbody');
  const more = h('button', { type: 'button', onclick: () => load(false) }, 'Load older entries');
  const inputs = Object.fromEntries(FILTERS.map(([k]) => [k, h('input', { name: k, autocomplete: 'off', list: `audit-${k}`, oninput: () => draw() })]));
  const lists = Object.fromEntries(FILTERS.map(([k]) => [k, h('datalist', { id: `audit-${k}` })]));

  function draw() {
    const want = Object.entries(inputs).map(([k, el]) => [k, el.value.trim().toLowerCase()]).filter(([, v]) => v);
    const shown = entries.filter((e) => want.every(([k, v]) => String(e[k] ?? '').toLowerCase().includes(v)));
    body.replaceChildren(...shown.map((e) => h('tr', { class: e.result === 'OK' ? '' : 'not-ok' },
      h('td', {}, h('time', { datetime: new Date(e.at).toISOString(), title: new Date(e.at).toLocaleString() }, clock(e.at))),
      h('td', {}, e.action), h('td', {}, e.subject), h('td', {}, e.queue ?? ''), h('td', {}, e.result),
      h('td', {}, e.source), h('td', {}, e.by ?? ''), h('td', { class: 'detail' }, e.detail ?? ''))));
    status.textContent = want.length ? `${shown.length} of ${entries.length} loaded entries match.` : `${entries.length} entries loaded.`;
    more.hidden = next === null;
    for (const [k] of FILTERS) lists[k].replaceChildren(...[...new Set(entries.map((e) => e[k]).filter(Boolean))].sort().slice(0, 50).map((v) => h('option', { value: v })));
  }

  async function load(fresh) {
    status.textContent = 'Loading…';
    try {
      const page = await api('GET', `/audit?count=${PAGE}${!fresh && next ? `&before=${encodeURIComponent(next)}` : ''}`);
      entries = fresh ? page.entries : [...entries, ...page.entries];
      next = page.next;
      draw();
    } catch (err) {
      status.textContent = `The audit trail could not be read: ${describeError(err)}`;
    }
  }

  root.replaceChildren(
    h('div', { class: 'view-head' }, h('h2', {}, 'Audit trail'), h('button', { type: 'button', class: 'quiet', onclick: () => load(true) }, 'Refresh')),
    h('form', { class: 'filters', 'aria-label': 'Filter the audit trail', onsubmit: (e) => e.preventDefault() },
      FILTERS.map(([k, label]) => field(label, inputs[k])), Object.values(lists)),
    status,
    h('div', { class: 'table-wrap' }, h('table', { class: 'audit' },
      h('caption', { class: 'sr-only' }, 'Audit entries, newest first'),
      h('thead', {}, h('tr', {}, ['When', 'Action', 'Subject', 'Queue', 'Result', 'Source', 'By', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    more,
  );

  return { show: () => load(true) };
}
