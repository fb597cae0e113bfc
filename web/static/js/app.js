// The single-page app: hash routes, the shell (nav, live indicator, color convention), pages.
import { api, connectEvents, onLiveStatus, onTokenNeeded } from './api.js';
import { h, tokenDialog } from './ui.js';
import { homePage } from './pages/home.js';
import { strategiesPage, strategyEditorPage } from './pages/strategies.js';
import { dataPage } from './pages/data.js';
import { backtestsPage, newBacktestPage } from './pages/backtests.js';
import { resultPage } from './pages/result.js';
import { comparePage } from './pages/compare.js';

const routes = [
  [/^\/?$/, 'home', () => homePage()],
  [/^\/strategies\/?$/, 'strategies', () => strategiesPage()],
  [/^\/strategies\/new$/, 'strategies', (m, q) => strategyEditorPage(null, q)],
  [/^\/strategies\/(\d+)$/, 'strategies', (m, q) => strategyEditorPage(Number(m[1]), q)],
  [/^\/data\/?$/, 'data', () => dataPage()],
  [/^\/backtests\/?$/, 'backtests', () => backtestsPage()],
  [/^\/backtests\/new$/, 'backtests', (m, q) => newBacktestPage(q)],
  [/^\/backtests\/(\d+)$/, 'backtests', (m) => resultPage(Number(m[1]))],
  [/^\/compare\/?$/, 'compare', (m, q) => comparePage(q)],
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

onTokenNeeded(tokenDialog);
setupColors();
setupLive();
api.get('/api/health').then((hl) => {
  document.getElementById('version').textContent = `quantd ${hl.version}`;
}).catch(() => {});
window.addEventListener('hashchange', route);
route();
