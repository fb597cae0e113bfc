// Overview: the three steps from nothing to a result, then recent backtests and strategies.
import { api, subscribe } from '../api.js';
import { h, toast, statusBadge, progressBar } from '../ui.js';
import * as f from '../format.js';

export async function homePage() {
  const [bars, strategies, backtests] = await Promise.all([
    api.get('/api/bars'), api.get('/api/strategies'), api.get('/api/backtests'),
  ]);
  const hasData = bars.length > 0, hasStrategy = strategies.length > 0, hasRun = backtests.length > 0;

  async function demo(btn) {
    btn.disabled = true;
    btn.textContent = 'Setting up…';
    try {
      if (!bars.some((b) => b.synthetic)) await api.post('/api/sample-data');
      let s = strategies.find((x) => x.script.startsWith('builtin:sma_cross'));
      if (!s) {
        s = await api.post('/api/strategies', {
          name: 'Golden cross 20/60', description: 'Demo: 20/60-day moving-average crossover on synthetic sample data.',
          script: 'builtin:sma_cross', params: { fast: 20, slow: 60 }, symbols: ['SAMPLE-A'], interval: '1d',
        });
      }
      const run = await api.post('/api/backtests', { strategy_id: s.id });
      location.hash = `#/backtests/${run.id}`;
    } catch (e) {
      toast(e.message, 'error');
      btn.disabled = false;
      btn.textContent = 'Run a demo backtest';
    }
  }

  async function loadSample(btn) {
    btn.disabled = true;
    btn.textContent = 'Loading…';
    try {
      const r = await api.post('/api/sample-data');
      toast(`Loaded ${r.series.length} synthetic series`, 'ok');
      location.hash = '#/data';
    } catch (e) {
      toast(e.message, 'error');
      btn.disabled = false;
    }
  }

  const step = (n, done, title, text, action) => h('div', { class: `step${done ? ' done' : ''}` },
    h('div', { class: 'row' }, h('span', { class: 'n' }, done ? '✓' : String(n)), h('h3', null, title)),
    h('p', null, text), action);

  const started = hasData || hasStrategy || hasRun;
  const hero = h('div', { class: 'card' }, h('div', { class: 'hero' },
    h('div', null,
      h('h1', null, started ? 'Overview' : 'Welcome to quantd'),
      h('p', null, started
        ? 'Write a strategy once, test it on history, and study the result before risking a won.'
        : 'Backtest investment strategies on KRX data on your own server. Start with synthetic sample data and a ready-made strategy — it takes a minute.')),
    !hasRun ? h('button', { class: 'btn primary', id: 'demo', onclick: (e) => demo(e.currentTarget) }, 'Run a demo backtest') :
      h('a', { class: 'btn primary', href: '#/backtests/new' }, 'New backtest')));

  const steps = h('div', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Getting started'), h('span', { class: 'hint' }, `${[hasData, hasStrategy, hasRun].filter(Boolean).length} of 3 done`)),
    h('div', { class: 'card-body' }, h('div', { class: 'steps' },
      step(1, hasData, 'Load price data', 'Import daily or minute bars from CSV, or load the synthetic sample set with one click.',
        h('div', { class: 'row' },
          hasData ? h('a', { class: 'btn small', href: '#/data' }, 'View data')
            : h('button', { class: 'btn small primary', onclick: (e) => loadSample(e.currentTarget) }, 'Load sample data'),
          h('a', { href: '#/data', class: 'small' }, 'Import CSV'))),
      step(2, hasStrategy, 'Write a strategy', 'Rules in a small language (buy when …, sell when …) or a built-in strategy. Start from an example.',
        h('div', null, h('a', { class: `btn small${hasData && !hasStrategy ? ' primary' : ''}`, href: '#/strategies/new' }, 'New strategy'))),
      step(3, hasRun, 'Run a backtest', 'Pick a period and capital; watch it run; study returns, drawdowns and every trade.',
        h('div', null, h('a', { class: `btn small${hasStrategy && !hasRun ? ' primary' : ''}`, href: '#/backtests/new' }, 'New backtest'))))));

  const recentBody = h('tbody');
  const renderRecent = () => {
    recentBody.replaceChildren(...backtests.slice(0, 6).map((b) => h('tr', { class: 'clickable', onclick: () => { location.hash = `#/backtests/${b.id}`; } },
      h('td', null, h('a', { href: `#/backtests/${b.id}` }, `#${b.id}`)),
      h('td', null, b.strategy_name || '(deleted strategy)'),
      h('td', null, b.status === 'running' ? h('div', { class: 'progress-row' }, statusBadge(b.status, b.progress)) : statusBadge(b.status)),
      h('td', { class: `r num ${f.dir(b.metrics?.total_return)}` }, f.pct(b.metrics?.total_return, 2, true)),
      h('td', { class: 'r num hide-sm' }, f.pct(-b.metrics?.max_drawdown)),
      h('td', { class: 'r muted hide-sm' }, f.ago(b.created_at)))));
  };
  renderRecent();
  const recent = hasRun ? h('div', { class: 'card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Recent backtests'), h('a', { href: '#/backtests' }, 'All backtests →')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', null, 'Run'), h('th', null, 'Strategy'), h('th', null, 'Status'), h('th', { class: 'r' }, 'Return'), h('th', { class: 'r hide-sm' }, 'Max DD'), h('th', { class: 'r hide-sm' }, 'Created'))),
      recentBody))) : null;

  const unsub = subscribe('backtest', (e) => {
    const b = backtests.find((x) => x.id === e.id);
    if (!b) return;
    b.status = e.status;
    b.progress = e.progress;
    if (e.status === 'done') {
      api.get(`/api/backtests/${e.id}`).then((full) => { Object.assign(b, full); renderRecent(); }).catch(() => {});
    }
    renderRecent();
  });

  // Once everything is set up, a summary replaces the checklist.
  const done = backtests.filter((b) => b.status === 'done' && b.metrics);
  const best = done.reduce((a, b) => (!a || b.metrics.total_return > a.metrics.total_return ? b : a), null);
  const tile = (label, value, sub, href) => h('a', { class: 'metric', href, style: { textDecoration: 'none', color: 'inherit' } },
    h('div', { class: 'k' }, label), h('div', { class: 'v' }, value), h('div', { class: 's' }, sub));
  const summary = h('div', { class: 'metrics tiles' },
    tile('Data', f.int(bars.length), `series · ${f.int(bars.reduce((n, b) => n + b.count, 0))} bars`, '#/data'),
    tile('Strategies', f.int(strategies.length), 'every edit versioned', '#/strategies'),
    tile('Backtests', f.int(backtests.length), `${f.int(done.length)} finished`, '#/backtests'),
    best ? tile('Best return', h('span', { class: f.dir(best.metrics.total_return) }, f.pct(best.metrics.total_return, 2, true)), `#${best.id} ${best.strategy_name}`, `#/backtests/${best.id}`) : null);
  const allDone = hasData && hasStrategy && hasRun;
  return { el: h('div', null, hero, allDone ? summary : steps, recent), cleanup: unsub, title: 'Overview' };
}

export { progressBar };
