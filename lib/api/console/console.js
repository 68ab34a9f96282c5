// The console's entry: sign-in (from the URL fragment or the form), the
// token's role (GET /whoami), the views, the live stream and the two "link
// down" banners: the browser's link to agentgate, and agentgate's to Asterisk.
import { api, ApiError, describeError, session } from './api.js';
import { createAllowlists } from './allowlists.js';
import { createAudit } from './audit.js';
import { Board } from './board.js';
import { clock, h, tick } from './dom.js';
import { openStream } from './stream.js';
import { createWallboard } from './wallboard.js';

const $ = (id) => document.getElementById(id);
const VIEWS = ['wallboard', 'allowlists', 'audit'];

// /#token=<token>[&view=<view>]: taken, kept for this tab only, and wiped from
// the address bar and the history before anything else runs. Fragments never
// reach the server, so the token is in no request line and no log.
function takeTokenFromFragment() {
  const hash = location.hash.slice(1);
  if (!/(^|&)token=/.test(hash)) return;
  const p = new URLSearchParams(hash);
  const token = p.get('token');
  if (token) session.set(token);
  const view = VIEWS.includes(p.get('view')) ? `#${p.get('view')}` : '';
  history.replaceState(null, '', `${location.pathname}${location.search}${view}`);
}

function toast(text, kind = 'info') {
  const el = h('div', { class: `toast toast-${kind}`, ...(kind === 'error' ? { role: 'alert' } : {}) },
    h('span', {}, text),
    h('button', { type: 'button', class: 'quiet', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
  $('toasts').append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 20_000 : 6_000);
}

function showSignIn(message = '') {
  for (const v of VIEWS) $(`view-${v}`).hidden = true;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message;
  $('signin-token').focus();
}

function banner(id, kind, title, text, button) {
  let el = $(id);
  if (!title) {
    el?.remove();
    return;
  }
  if (!el) {
    el = h('div', { id, role: 'alert' });
    $('banners').append(el);
  }
  el.className = `banner banner-${kind}`;
  el.replaceChildren(h('strong', {}, title), ' ', h('span', {}, text), button ?? '');
}

async function start() {
  let me;
  try {
    me = await api('GET', '/whoami');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      session.clear();
      showSignIn('That token was not accepted. Check it and try again.');
    } else {
      banner('banner-link', 'down', 'Service link down.', `agentgate cannot be reached (${describeError(err)}); retrying…`);
      setTimeout(start, 3000);
    }
    return;
  }
  banner('banner-link', '', '');
  const isAdmin = me.role === 'admin';
  document.body.dataset.role = me.role;
  $('signin').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = me.name;
  $('who-role').textContent = isAdmin ? 'admin: can act' : 'read only';

  const board = new Board();
  const wallboard = createWallboard({ root: $('view-wallboard'), board, isAdmin, toast });
  const allowlists = createAllowlists({ root: $('view-allowlists'), isAdmin, toast, knownQueues: () => board.view().map((q) => q.queue) });
  const audit = createAudit({ root: $('view-audit') });
  const views = { wallboard: { show: () => undefined }, allowlists, audit };

  const show = () => {
    const name = VIEWS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'wallboard';
    for (const v of VIEWS) $(`view-${v}`).hidden = v !== name;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${name === 'wallboard' ? 'Wallboard' : name === 'allowlists' ? 'Allowlists' : 'Audit trail'} · agentgate`;
    void views[name].show();
  };
  window.addEventListener('hashchange', show);
  show();

  let lastUp = null;
  const pbxBanner = (linkUp) => {
    const stale = !linkUp || !board.pbx.connected;
    document.body.classList.toggle('stale', stale);
    if (!linkUp) return banner('banner-pbx', '', '');
    if (!board.pbx.connected) banner('banner-pbx', 'down', 'Asterisk link down.', 'agentgate is not connected to Asterisk (AMI): the board shows the last known state and actions will fail until it is back.');
    else if (!board.pbx.synced) banner('banner-pbx', 'info', 'Re-reading Asterisk.', 'agentgate is rebuilding the queues from Asterisk; the board will catch up in a moment.');
    else banner('banner-pbx', '', '');
  };

  let linkUp = false;
  const stream = openStream({
    path: '/events',
    token: session.token,
    onEvent(type, data) {
      if (board.apply(type, data)) wallboard.changed(type, data);
      if (type === 'snapshot' || type === 'pbx') pbxBanner(linkUp);
    },
    onLink(l) {
      linkUp = l.state === 'up';
      if (l.state === 'up') {
        lastUp = Date.now();
        banner('banner-link', '', '');
      } else if (l.state === 'unauthorized') {
        stream.stop();
        session.clear();
        location.reload();
        return;
      } else {
        banner('banner-link', 'down', 'Service link down.',
          `The live link to agentgate is broken (${l.error}); reconnecting in ${Math.ceil(l.retryIn / 1000)} s.${lastUp ? ` The board shows the state as of ${clock(lastUp)}.` : ''}`,
          h('button', { type: 'button', onclick: () => stream.retryNow() }, 'Retry now'));
      }
      pbxBanner(linkUp);
    },
  });
  setInterval(() => {
    tick(document.body);
    if (linkUp) lastUp = Date.now();
  }, 1000);

  $('sign-out').addEventListener('click', () => {
    stream.stop();
    session.clear();
    location.replace(location.pathname);
  });
}

takeTokenFromFragment();
$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('signin-token').value.trim();
  if (!token) return;
  session.set(token);
  $('signin-token').value = '';
  location.reload();
});
if (session.token) void start();
else showSignIn();
