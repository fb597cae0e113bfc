// The single-page app: hash routes, the shell (nav, live indicator, color convention), pages.
import { api, ApiError, connectEvents, onLiveStatus, onAuthNeeded, setToken, subscribe } from './api.js';
import { h, tokenDialog, loginDialog, confirmDialog, toast } from './ui.js';
import { homePage } from './pages/home.js';
import { strategiesPage, strategyEditorPage } from './pages/strategies.js';
import { dataPage } from './pages/data.js';
import { backtestsPage, newBacktestPage } from './pages/backtests.js';
import { resultPage } from './pages/result.js';
import { comparePage } from './pages/compare.js';
import { sweepsPage, newSweepPage, sweepPage } from './pages/sweeps.js';
import { livePage, liveSessionPage } from './pages/live.js';
import { securityPage } from './pages/security.js';

const routes = [
  [/^\/?$/, 'home', () => homePage()],
  [/^\/strategies\/?$/, 'strategies', () => strategiesPage()],
  [/^\/strategies\/new$/, 'strategies', (m, q) => strategyEditorPage(null, q)],
  [/^\/strategies\/(\d+)$/, 'strategies', (m, q) => strategyEditorPage(Number(m[1]), q)],
  [/^\/data\/?$/, 'data', () => dataPage()],
  [/^\/backtests\/?$/, 'backtests', () => backtestsPage()],
  [/^\/backtests\/new$/, 'backtests', (m, q) => newBacktestPage(q)],
  [/^\/backtests\/(\d+)$/, 'backtests', (m) => resultPage(Number(m[1]))],
  [/^\/sweeps\/?$/, 'sweeps', () => sweepsPage()],
  [/^\/sweeps\/new$/, 'sweeps', (m, q) => newSweepPage(q)],
  [/^\/sweeps\/(\d+)$/, 'sweeps', (m) => sweepPage(Number(m[1]))],
  [/^\/compare\/?$/, 'compare', (m, q) => comparePage(q)],
  [/^\/live\/?$/, 'live', () => livePage()],
  [/^\/live\/(\d+)$/, 'live', (m) => liveSessionPage(Number(m[1]))],
  [/^\/security\/?$/, 'security', () => securityPage()],
];

let cleanup = null;  // the current page's teardown (unsubscribe, remove charts)
let routeSeq = 0;    // bumps on every navigation, so a slow page load cannot overwrite a newer one

async function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query = ''] = hash.split('?');
  const q = new URLSearchParams(query);
  const view = document.getElementById('view');
  const seq = ++routeSeq;
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } cleanup = null; }
  for (const [re, nav, page] of routes) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.nav === nav);
    view.replaceChildren(h('div', { class: 'loading' }, 'Loading…'));
    try {
      const result = await page(m, q);
      if (seq !== routeSeq) {
        result?.cleanup?.();
        return;  // navigated away while loading
      }
      view.replaceChildren(result.el);
      cleanup = result.cleanup || null;
      result.mounted?.();
      document.title = `${result.title ? result.title + ' · ' : ''}quantd`;
    } catch (e) {
      if (seq !== routeSeq) return;
      console.error(e);
      view.replaceChildren(h('div', { class: 'card' }, h('div', { class: 'card-body' },
        h('div', { class: 'alert error' }, h('strong', null, e.status === 404 ? 'Not found. ' : 'Could not load this page. '), e.message),
        h('p', { style: { marginTop: '12px' } }, h('a', { href: '#/' }, '← Back to the overview')))));
    }
    window.scrollTo(0, 0);
    return;
  }
  view.replaceChildren(h('div', { class: 'empty' }, h('h3', null, 'Page not found'), h('a', { href: '#/' }, 'Go to the overview')));
}

function setupColors() {
  const select = document.getElementById('color-convention');
  const saved = localStorage.getItem('quantd.colors') || 'krx';
  document.documentElement.dataset.colors = saved;
  select.value = saved;
  select.addEventListener('change', () => {
    localStorage.setItem('quantd.colors', select.value);
    document.documentElement.dataset.colors = select.value;
    route();  // redraw charts with the new colors
  });
}

function setupLive() {
  const live = document.getElementById('live');
  onLiveStatus((on) => {
    live.classList.toggle('on', on);
    live.classList.toggle('off', !on);
    live.querySelector('.live-text').textContent = on ? 'Live' : 'Reconnecting…';
  });
  connectEvents();
}

// The kill switch in the header, whenever anything is live: one click pauses every session (no
// new orders; they keep evaluating), one click resumes after a reconciliation. Its state comes
// from the server, so every open tab shows the same, and it survives a restart.
function setupKillSwitch() {
  const button = document.getElementById('kill');
  let engaged = false;
  let timer = null;
  async function refresh() {
    try {
      const live = await api.get('/api/live');
      engaged = live.kill_switch.engaged;
      // A replay (the demo) is not trading: the switch is for sessions on the real clock.
      const anything = engaged || live.sessions.some((s) => !s.replay && !['stopped', 'failed'].includes(s.state));
      button.hidden = !anything;
      button.classList.toggle('engaged', engaged);
      button.dataset.engaged = String(engaged);
      button.textContent = engaged ? 'Resume trading' : 'Kill switch';
      button.title = engaged ? 'Trading is paused. Reconcile every account and resume.' : 'Pause every live session now: no new orders; evaluation continues.';
    } catch { button.hidden = true; }
  }
  const later = () => { if (!timer) timer = setTimeout(() => { timer = null; refresh(); }, 200); };
  for (const name of ['live.session', 'live.account', 'live.reconciliation', 'reconnected']) subscribe(name, later);
  button.addEventListener('click', async () => {
    if (!engaged) {
      if (!await confirmDialog('Pause all trading?', 'Every live session stops sending orders at once, and the pause holds across restarts. Sessions keep evaluating every minute, so they can resume warm.', 'Pause everything')) return;
    }
    button.disabled = true;
    try {
      await api.post(engaged ? '/api/live/resume' : '/api/live/kill', engaged ? { scope: 'all' } : { scope: 'all', reason: 'from the browser' });
      toast(engaged ? 'Reconciled and resumed.' : 'Trading paused. Evaluations continue.');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      toast(e.message, 'error');
    } finally {
      button.disabled = false;
      refresh();
    }
  });
  refresh();
}

// Credentials, when the server asks for them: the login form when a password is set (the
// session cookie then rides on every request and on the event stream), else the token dialog.
// Concurrent 401s share one dialog.
let asking = null;
async function askForCredentials({ cancellable = true } = {}) {
  if (asking) return asking;
  asking = (async () => {
    let state = null;
    try { state = await api.get('/api/auth'); } catch { /* fall back to the token */ }
    if (state?.password_set) {
      const ok = await loginDialog((password) => api.post('/api/login', { password }), { cancellable });
      if (ok) { connectEvents(); refreshAuth(); }
      return ok;
    }
    const token = await tokenDialog();
    if (token) setToken(token);
    return Boolean(token);
  })();
  try { return await asking; } finally { asking = null; }
}

// The header's "Log out", shown while a login session is in use.
async function refreshAuth() {
  const button = document.getElementById('logout');
  try {
    const state = await api.get('/api/auth');
    button.hidden = !state.logged_in;
    return state;
  } catch { button.hidden = true; return null; }
}

function setupLogout() {
  document.getElementById('logout').addEventListener('click', async () => {
    try { await api.post('/api/logout'); } catch (e) { if (!(e instanceof ApiError)) throw e; }
    location.reload();  // back to the login form
  });
}

async function start() {
  onAuthNeeded(askForCredentials);
  setupColors();
  setupLogout();
  // Ask for the password before anything else loads, so the first page needs no retry.
  const state = await refreshAuth();
  if (state?.password_set && !state.authorized) {
    while (!await askForCredentials({ cancellable: false })) { /* the form is the only way in */ }
  }
  setupLive();
  setupKillSwitch();
  api.get('/api/health').then((hl) => {
    if (hl.version) document.getElementById('version').textContent = `quantd ${hl.version}`;
  }).catch(() => {});
  window.addEventListener('hashchange', route);
  route();
}

start();
