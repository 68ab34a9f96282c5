// Small DOM helpers: element building without innerHTML (no markup from data
// ever reaches the parser), and how times and durations read on a wall screen.

/** h('button', { class: 'x', onclick: fn }, 'text', child...) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children, keeping keyboard focus on the "same" control (same data-focus key) if it is still there. */
export function replaceChildren(el, ...children) {
  const key = document.activeElement && el.contains(document.activeElement) ? document.activeElement.dataset.focus : undefined;
  el.replaceChildren();
  append(el, children);
  if (key) el.querySelector(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

/** 75 s -> "1:15"; 2 h -> "2:00:00". */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

/** A live duration: the wallboard's tick rewrites every [data-since] once a second. */
export function since(ts, prefix = '') {
  return h('span', { class: 'dur', dataset: { since: String(ts), prefix } }, prefix + duration(Date.now() - ts));
}

export function tick(root) {
  const now = Date.now();
  for (const el of root.querySelectorAll('[data-since]')) el.textContent = el.dataset.prefix + duration(now - Number(el.dataset.since));
}

export function clock(ts) {
  const d = new Date(ts);
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return today ? time : `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

/**
 * A modal form in a <dialog> (focus kept inside, Escape closes). `fields`
 * builds the form's controls; resolves with the FormData, or null when cancelled.
 */
export function ask({ title, fields = [], submit, danger = false }) {
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog' },
      h('h2', {}, title),
      ...fields,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : '' }, submit),
        h('button', { type: 'submit', value: 'cancel', class: 'quiet', formnovalidate: true }, 'Cancel')));
    const dlg = h('dialog', { 'aria-label': title }, form);
    dlg.addEventListener('close', () => {
      const ok = dlg.returnValue === 'ok';
      const data = new FormData(form);
      dlg.remove();
      resolve(ok ? data : null);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** A labelled input for ask() and the forms. */
export function field(label, input, hint) {
  const id = input.id || (input.id = `f-${Math.random().toString(36).slice(2, 9)}`);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null);
}
