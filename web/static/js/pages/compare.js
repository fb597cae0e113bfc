// Compare: two or more backtests side by side — equity curves on one chart (as % return, so
// different capital sizes line up) and every metric in one table, the best of each row starred.
import { api } from '../api.js';
import { h, statusBadge } from '../ui.js';
import { lineChart, SERIES_COLORS } from '../charts.js';
import * as f from '../format.js';

// [name, label, format, better: 1 higher is better, -1 lower is better, 0 neither]
const ROWS = [
  ['total_return', 'Total return', (v) => f.pct(v, 2, true), 1],
  ['cagr', 'CAGR', (v) => f.pct(v, 2, true), 1],
  ['benchmark_return', 'Buy & hold return', (v) => f.pct(v, 2, true), 0],
  ['max_drawdown', 'Max drawdown', (v) => f.pct(-v), -1],
  ['max_drawdown_duration_days', 'Longest drawdown (days)', (v) => f.int(v), -1],
  ['sharpe', 'Sharpe', (v) => f.num(v), 1],
  ['sortino', 'Sortino', (v) => f.num(v), 1],
  ['calmar', 'Calmar', (v) => f.num(v), 1],
  ['annual_volatility', 'Volatility', (v) => f.pct(v, 1), -1],
  ['trades', 'Trades', (v) => f.int(v), 0],
  ['win_rate', 'Win rate', (v) => f.pct(v, 1), 1],
  ['profit_factor', 'Profit factor', (v) => f.num(v), 1],
  ['expectancy', 'Expectancy per trade', (v) => f.krwSigned(v), 1],
  ['exposure', 'Exposure', (v) => f.pct(v, 1), 0],
  ['final_equity', 'Final equity', (v) => f.krw(v), 1],
  ['total_fees', 'Fees', (v) => f.krw(v), -1],
  ['total_taxes', 'Taxes', (v) => f.krw(v), -1],
];

async function picker(preselected) {
  const list = (await api.get('/api/backtests')).filter((b) => b.status === 'done');
  const selected = new Set(list.some((b) => b.id === preselected) ? [preselected] : []);
  const go = h('button', { class: 'btn primary', disabled: true, id: 'compare-go', onclick: () => { location.hash = `#/compare?ids=${[...selected].sort((a, b) => a - b).join(',')}`; } }, 'Compare');
  return {
    title: 'Compare',
    el: h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'Compare backtests'), h('p', { class: 'sub' }, 'Pick two or more finished runs.')), h('div', { class: 'actions' }, go)),
      h('div', { class: 'card' }, list.length < 2
        ? h('div', { class: 'empty' }, h('h3', null, 'Not enough finished backtests'), h('p', null, 'Run at least two backtests — for example the same strategy with different parameters.'), h('a', { class: 'btn primary', href: '#/backtests/new' }, 'New backtest'))
        : h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
            h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'Run'), h('th', null, 'Strategy'), h('th', { class: 'hide-sm' }, 'Symbols'), h('th', { class: 'r' }, 'Return'), h('th', { class: 'r hide-sm' }, 'Max DD'))),
            h('tbody', null, list.map((b) => h('tr', null,
              h('td', null, h('input', { type: 'checkbox', checked: selected.has(b.id), onchange: (e) => { if (e.target.checked) selected.add(b.id); else selected.delete(b.id); go.disabled = selected.size < 2; } })),
              h('td', null, `#${b.id}`), h('td', null, b.strategy_name, h('span', { class: 'muted small' }, ` v${b.strategy_version}`)),
              h('td', { class: 'mono small hide-sm' }, (b.settings?.symbols || []).join(', ')),
              h('td', { class: `r num ${f.dir(b.metrics?.total_return)}` }, f.pct(b.metrics?.total_return, 2, true)),
              h('td', { class: 'r num hide-sm' }, f.pct(-b.metrics?.max_drawdown))))))))),
  };
}

export async function comparePage(q) {
  const ids = (q.get('ids') || '').split(',').map(Number).filter((x) => x > 0);
  if (ids.length < 2) return picker(Number(q.get('with')) || ids[0]);
  const { backtests } = await api.get(`/api/backtests/compare?ids=${ids.join(',')}`);
  const done = backtests.filter((b) => b.status === 'done');
  const curves = await Promise.all(done.map((b) => api.get(`/api/backtests/${b.id}/equity?max_points=2000`)));
  const color = (i) => SERIES_COLORS[i % SERIES_COLORS.length];
  const chartEl = h('div', { class: 'chart tall', id: 'compare-chart' });
  let removeChart = () => {};

  const name = (b, i) => h('span', null, h('span', { class: 'swatch-dot', style: { background: color(i) } }), h('a', { href: `#/backtests/${b.id}` }, `#${b.id}`), ' ', b.strategy_name);
  const best = (key, better) => {
    if (!better) return null;
    const vals = done.map((b) => b.metrics?.[key]).filter(Number.isFinite);
    if (vals.length < 2) return null;
    return better > 0 ? Math.max(...vals) : Math.min(...vals);
  };

  const settingRows = [
    ['Version', (b) => `v${b.strategy_version}`],
    ['Symbols', (b) => h('span', { class: 'mono' }, (b.settings?.symbols || []).join(', '))],
    ['Period', (b) => `${b.settings?.from || 'first bar'} → ${b.settings?.to || 'last bar'}`],
    ['Capital', (b) => f.krw(b.settings?.cash)],
    ['Parameters', (b) => h('span', { class: 'mono small' }, Object.entries(b.params || {}).map(([k, v]) => `${k}=${v}`).join(', ') || '—')],
    ['Status', (b) => statusBadge(b.status)],
  ];

  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'compare-table' },
    h('thead', null, h('tr', null, h('th', null, 'Metric'), backtests.map((b) => h('th', { class: 'r', style: { textTransform: 'none' } }, name(b, done.indexOf(b)))))),
    h('tbody', null,
      ROWS.map(([key, label, fmt, better]) => {
        const top = best(key, better);
        return h('tr', { 'data-metric': key }, h('td', null, label), backtests.map((b) => {
          const v = b.metrics?.[key];
          const cls = ['r', 'num', key.includes('return') || key === 'cagr' ? f.dir(v) : '', top !== null && v === top ? 'compare-best' : ''].join(' ');
          return h('td', { class: cls }, b.metrics ? fmt(v) : '—');
        }));
      }),
      settingRows.map(([label, fn]) => h('tr', null, h('td', { class: 'muted' }, label), backtests.map((b) => h('td', { class: 'r' }, fn(b))))))));

  const el = h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/backtests' }, 'Backtests'), ' / Compare'),
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, `Comparing ${backtests.length} backtests`), h('p', { class: 'sub' }, 'Equity as return on the starting capital, so runs with different capital line up. ★ marks the best value of each row.')),
      h('div', { class: 'actions' }, h('a', { class: 'btn', href: '#/compare' }, 'Change selection'))),
    h('div', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', null, 'Return over time'), h('div', { class: 'legend' }, done.map((b, i) => h('span', null, h('span', { class: 'swatch', style: { background: color(i) } }), `#${b.id} ${b.strategy_name}`)))),
      h('div', { class: 'card-body' }, chartEl)),
    h('div', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'Metrics')), table));

  return {
    el,
    title: 'Compare',
    mounted: () => {
      const draw = () => {
        if (!chartEl.isConnected) { requestAnimationFrame(draw); return; }
        removeChart = lineChart(chartEl, done.map((b, i) => ({
          name: `#${b.id}`, color: color(i),
          points: curves[i].map((p) => ({ ts: p.ts, value: (p.equity / b.settings.cash - 1) * 100 })),
        })), { interval: done[0]?.settings?.interval, format: (v) => f.pct(v / 100, 1, true) });
      };
      draw();
    },
    cleanup: () => removeChart(),
  };
}
