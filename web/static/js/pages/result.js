// One backtest: live progress while it runs; then metric cards, equity vs buy-and-hold, drawdown,
// candles with buy/sell markers, the sortable trades table, CSV export, and the exact inputs.
import { api, subscribe } from '../api.js';
import { h, toast, confirmDialog, statusBadge, progressBar, sortableTable, download, csv } from '../ui.js';
import { lineChart, drawdownChart, candleChart } from '../charts.js';
import * as f from '../format.js';

const REASONS = { signal: 'Signal', stop_loss: 'Stop loss', take_profit: 'Take profit', trailing_stop: 'Trailing stop', end_of_data: 'End of data' };

function metric(label, value, sub, cls = '', lead = false, id = '') {
  const long = (typeof value === 'string' ? value : value.textContent).length > 10;
  return h('div', { class: `metric${lead ? ' lead' : ''}`, 'data-metric': id || undefined },
    h('div', { class: 'k' }, label), h('div', { class: `v ${cls}${long ? ' long' : ''}` }, value), sub ? h('div', { class: 's' }, sub) : null);
}

function metricCards(m, s) {
  const excess = Number.isFinite(m.total_return) && Number.isFinite(m.benchmark_return) ? m.total_return - m.benchmark_return : null;
  return h('div', { class: 'metrics', id: 'metrics' },
    metric('Total return', f.pct(m.total_return, 2, true), h('span', null, 'Buy & hold ', h('span', { class: f.dir(m.benchmark_return) }, f.pct(m.benchmark_return, 2, true))), f.dir(m.total_return), true, 'total_return'),
    metric('Final equity', f.krw(m.final_equity), `from ${f.krw(m.initial_cash ?? s.cash)}`, '', true, 'final_equity'),
    metric('CAGR', f.pct(m.cagr, 2, true), `Buy & hold ${f.pct(m.benchmark_cagr, 2, true)}`, f.dir(m.cagr), false, 'cagr'),
    metric('Max drawdown', f.pct(-m.max_drawdown), Number.isFinite(m.max_drawdown_duration_days) ? `${f.int(m.max_drawdown_duration_days)} days under water` : null, m.max_drawdown > 0 ? 'down' : '', false, 'max_drawdown'),
    metric('Sharpe ratio', f.num(m.sharpe), `Sortino ${f.num(m.sortino)}`, '', false, 'sharpe'),
    metric('Excess return', f.pct(excess, 2, true), 'vs buy & hold', f.dir(excess), false, 'excess'),
    metric('Trades', f.int(m.trades), `Win rate ${f.pct(m.win_rate, 1)}`, '', false, 'trades'),
    metric('Profit factor', f.num(m.profit_factor), h('span', null, 'Expectancy ', h('span', { class: 'num' }, (m.expectancy > 0 ? '+' : '') + f.krwCompact(m.expectancy))), '', false, 'profit_factor'),
    metric('Average win', f.krwCompact(m.avg_win), h('span', null, 'Average loss ', h('span', { class: 'num down' }, f.krwCompact(m.avg_loss))), Number.isFinite(m.avg_win) ? 'up' : '', false, 'avg_win'),
    metric('Volatility', f.pct(m.annual_volatility, 1), `Calmar ${f.num(m.calmar)}`, '', false, 'annual_volatility'),
    metric('Exposure', f.pct(m.exposure, 1), 'time in the market', '', false, 'exposure'),
    metric('Fees & taxes', f.krw((m.total_fees || 0) + (m.total_taxes || 0)), h('span', { class: 'num' }, `fees ${f.krwCompact(m.total_fees)} · tax ${f.krwCompact(m.total_taxes)}`), '', false, 'fees'));
}

function settingsList(b) {
  const s = b.settings || {};
  const params = Object.entries(b.params || {});
  return h('dl', { class: 'kv' },
    h('dt', null, 'Strategy'), h('dd', null, b.strategy_id ? h('a', { href: `#/strategies/${b.strategy_id}` }, b.strategy_name) : b.strategy_name, ` (version ${b.strategy_version})`),
    h('dt', null, 'Symbols'), h('dd', { class: 'mono' }, (s.symbols || []).join(', ')),
    h('dt', null, 'Bars'), h('dd', null, s.interval),
    h('dt', null, 'Period'), h('dd', null, s.from || 'first bar', ' → ', s.to || 'last bar'),
    h('dt', null, 'Initial capital'), h('dd', null, f.krw(s.cash)),
    h('dt', null, 'Commission'), h('dd', null, `${s.commission_bps} bp per side`),
    h('dt', null, 'Sell tax'), h('dd', null, s.tax_bps === null || s.tax_bps === undefined ? 'KRX schedule by date' : `${s.tax_bps} bp`),
    h('dt', null, 'Slippage'), h('dd', null, `${s.slippage_bps} bp, ${s.slippage_ticks} ticks`),
    h('dt', null, 'Market'), h('dd', null, (s.market || 'kospi').toUpperCase()),
    h('dt', null, 'Close at end'), h('dd', null, s.close_at_end ? 'yes' : 'no'),
    h('dt', null, 'Parameters'), h('dd', { class: 'mono' }, params.length ? params.map(([k, v]) => `${k}=${v}`).join(', ') : 'none'),
    h('dt', null, 'Created'), h('dd', null, f.dateTime(b.created_at)),
    h('dt', null, 'Finished'), h('dd', null, b.finished_at ? `${f.dateTime(b.finished_at)}${b.started_at ? ` (${((new Date(b.finished_at) - new Date(b.started_at)) / 1000).toFixed(2)} s)` : ''}` : '—'));
}

export async function resultPage(id) {
  const root = h('div');
  const cleanups = [];
  let backtest = await api.get(`/api/backtests/${id}`);
  let mountedDone = false;

  async function remove() {
    if (!await confirmDialog(`Delete backtest #${id}?`, 'Its results are deleted too.')) return;
    try { await api.del(`/api/backtests/${id}`); location.hash = '#/backtests'; } catch (e) { toast(e.message, 'error'); }
  }
  // A pinned run is kept however many newer ones backtest.keep_results lets through.
  async function togglePin(button) {
    try {
      backtest = await api.patch(`/api/backtests/${id}`, { pinned: !backtest.pinned });
      button.textContent = backtest.pinned ? 'Unpin' : 'Pin';
      button.title = backtest.pinned ? 'Kept through retention' : 'Keep this run through retention (backtest.keep_results)';
      toast(backtest.pinned ? `Backtest #${id} is pinned: retention keeps it.` : `Backtest #${id} is unpinned.`);
    } catch (e) { toast(e.message, 'error'); }
  }
  async function cancel() {
    try { await api.post(`/api/backtests/${id}/cancel`); } catch (e) { toast(e.message, 'error'); }
  }

  function header(b) {
    const s = b.settings || {};
    return h('div', null,
      h('div', { class: 'crumbs' }, h('a', { href: '#/backtests' }, 'Backtests'), ` / #${b.id}`),
      h('div', { class: 'page-head' },
        h('div', null,
          h('div', { class: 'row', style: { gap: '10px' } }, h('h1', null, b.strategy_name || 'Backtest', ' ', h('span', { class: 'muted', style: { fontWeight: 500 } }, `#${b.id}`)), h('span', { id: 'status' }, statusBadge(b.status, b.progress))),
          h('p', { class: 'sub' }, h('span', { class: 'mono' }, (s.symbols || []).join(', ')), ` · ${s.interval} bars · ${s.from || 'first bar'} → ${s.to || 'last bar'} · ${f.krw(s.cash)}`)),
        h('div', { class: 'actions' },
          b.status === 'queued' || b.status === 'running' ? h('button', { class: 'btn', onclick: cancel }, 'Cancel') : null,
          b.strategy_id ? h('a', { class: 'btn', href: `#/backtests/new?strategy=${b.strategy_id}` }, 'Run again') : null,
          b.strategy_id && b.status === 'done' ? h('a', { class: 'btn', id: 'sweep-params', href: `#/sweeps/new?strategy=${b.strategy_id}` }, 'Sweep parameters') : null,
          b.status === 'done' ? h('a', { class: 'btn', href: `#/compare?with=${b.id}` }, 'Compare with…') : null,
          h('button', { class: 'btn', id: 'pin', title: b.pinned ? 'Kept through retention' : 'Keep this run through retention (backtest.keep_results)', onclick: (ev) => togglePin(ev.currentTarget) }, b.pinned ? 'Unpin' : 'Pin'),
          h('button', { class: 'btn ghost danger', onclick: remove }, 'Delete'))),
      // E.g. a run opened from a sweep whose bars have changed since.
      b.notice ? h('div', { class: 'alert warn', id: 'notice', role: 'note', style: { marginBottom: '20px' } }, b.notice) : null);
  }

  // ---- queued / running: a live progress bar fed by SSE ----
  function renderProgress(b) {
    const pctText = h('span', { class: 'pct', id: 'progress-pct' }, `${Math.floor((b.progress || 0) * 100)}%`);
    const bar = progressBar(b.progress, true);
    bar.id = 'progress';
    const note = h('p', { class: 'muted small', id: 'progress-note' }, b.status === 'queued' ? 'Waiting for a free worker…' : 'Simulating bar by bar…');
    root.replaceChildren(header(b), h('div', { class: 'card' }, h('div', { class: 'card-body stack' },
      h('h2', null, b.status === 'queued' ? 'Queued' : 'Running'),
      h('div', { class: 'progress-row' }, h('div', { style: { flex: 1 } }, bar), pctText), note)));
    return (p, status) => {
      const v = Math.max(0, Math.min(1, p || 0));
      bar.firstChild.style.width = `${v * 100}%`;
      bar.setAttribute('aria-valuenow', String(Math.floor(v * 100)));
      pctText.textContent = `${Math.floor(v * 100)}%`;
      note.textContent = status === 'queued' ? 'Waiting for a free worker…' : v >= 1 ? 'Done — loading the results…' : 'Simulating bar by bar…';
      const badge = root.querySelector('#status');
      if (badge) badge.replaceChildren(statusBadge(status, v));
    };
  }

  function renderFailed(b) {
    root.replaceChildren(header(b), h('div', { class: 'card' }, h('div', { class: 'card-body stack' },
      b.status === 'failed'
        ? h('div', { class: 'alert error', id: 'failure' }, h('strong', null, 'This backtest failed. '), b.error || 'No reason was recorded.')
        : h('div', { class: 'alert warn' }, h('strong', null, 'Canceled. '), 'This backtest was canceled before it finished.'),
      h('div', { class: 'row' },
        b.strategy_id ? h('a', { class: 'btn', href: `#/strategies/${b.strategy_id}` }, 'Open the strategy') : null,
        b.strategy_id ? h('a', { class: 'btn primary', href: `#/backtests/new?strategy=${b.strategy_id}` }, 'Run again') : null))),
      inputsCard(b));
  }

  function inputsCard(b) {
    return h('div', { class: 'card' },
      h('details', { class: 'more' }, h('summary', null, 'Settings and the exact script this run used'),
        h('div', { class: 'card-body', style: { paddingTop: 0 } }, settingsList(b)),
        h('pre', { class: 'script', id: 'script' }, b.script)));
  }

  async function renderDone(b) {
    const s = b.settings || {};
    const interval = s.interval || '1d';
    const [equity, trades, orders] = await Promise.all([
      api.get(`/api/backtests/${id}/equity?max_points=2000`), api.get(`/api/backtests/${id}/trades`), api.get(`/api/backtests/${id}/orders`),
    ]);
    const m = b.metrics || {};
    const equityEl = h('div', { class: 'chart', id: 'equity-chart' });
    const ddEl = h('div', { class: 'chart short', id: 'drawdown-chart' });
    const candleEl = h('div', { class: 'chart tall', id: 'candle-chart' });
    const symbols = s.symbols || [];
    let symbol = symbols[0];
    const tabs = h('div', { class: 'tabs' });

    let removeCandles = () => {};
    cleanups.push(() => removeCandles());
    async function drawCandles() {
      tabs.replaceChildren(...(symbols.length > 1 ? symbols.map((x) => h('button', { type: 'button', class: x === symbol ? 'on' : '', onclick: () => { symbol = x; drawCandles(); } }, x)) : []));
      try {
        const bars = await api.get(`/api/backtests/${id}/bars?symbol=${encodeURIComponent(symbol)}&max_bars=4000`);
        removeCandles();
        removeCandles = candleChart(candleEl, bars, orders.filter((o) => o.symbol === symbol), { interval });
      } catch (e) { candleEl.replaceChildren(h('div', { class: 'chart-empty' }, e.message)); }
    }

    const tradeRows = trades.map((t, i) => ({ ...t, n: i + 1, fees: t.commission + t.tax }));
    const tradesTable = sortableTable([
      { key: 'n', label: '#', align: 'r' },
      { key: 'symbol', label: 'Symbol', render: (t) => h('span', { class: 'mono' }, t.symbol), hideSm: symbols.length < 2 },
      { key: 'entry_ts', label: 'Entry', render: (t) => f.barTime(t.entry_ts, interval) },
      { key: 'exit_ts', label: 'Exit', render: (t) => f.barTime(t.exit_ts, interval) },
      { key: 'quantity', label: 'Shares', align: 'r', render: (t) => f.int(t.quantity), hideSm: true },
      { key: 'entry_price', label: 'Entry ₩', align: 'r', render: (t) => f.price(t.entry_price), hideSm: true },
      { key: 'exit_price', label: 'Exit ₩', align: 'r', render: (t) => f.price(t.exit_price), hideSm: true },
      { key: 'pnl', label: 'P&L', align: 'r', defaultDesc: true, render: (t) => h('span', { class: f.dir(t.pnl) }, f.krwSigned(t.pnl)) },
      { key: 'return', label: 'Return', align: 'r', defaultDesc: true, render: (t) => h('span', { class: f.dir(t.return) }, f.pct(t.return, 2, true)) },
      { key: 'fees', label: 'Fees', align: 'r', render: (t) => f.krw(t.fees), hideSm: true },
      { key: 'exit_reason', label: 'Exit', render: (t) => REASONS[t.exit_reason] || t.exit_reason, hideSm: true },
    ], tradeRows, { initial: { key: 'n' }, empty: 'No closed trades in this period.', pageSize: 50 });
    tradesTable.id = 'trades';

    const exportTrades = () => download(`backtest-${id}-trades.csv`, csv([
      ['entry_time_kst', 'exit_time_kst', 'symbol', 'quantity', 'entry_price', 'exit_price', 'pnl_krw', 'return', 'commission_krw', 'tax_krw', 'exit_reason'],
      ...trades.map((t) => [f.dateTime(t.entry_ts), f.dateTime(t.exit_ts), t.symbol, t.quantity, t.entry_price, t.exit_price, t.pnl, t.return, t.commission, t.tax, t.exit_reason])]));
    const exportEquity = async () => {
      const full = await api.get(`/api/backtests/${id}/equity`);
      download(`backtest-${id}-equity.csv`, csv([['time_kst', 'equity_krw', 'benchmark_krw', 'drawdown'], ...full.map((p) => [f.dateTime(p.ts), p.equity, p.benchmark, p.drawdown])]));
    };
    const exportOrders = () => download(`backtest-${id}-orders.csv`, csv([
      ['order_id', 'symbol', 'side', 'reason', 'status', 'decided_kst', 'quantity', 'fill_time_kst', 'fill_price', 'notional_krw', 'commission_krw', 'tax_krw'],
      ...orders.map((o) => [o.id, o.symbol, o.side, o.reason, o.status, f.dateTime(o.decided_ts), o.quantity, o.fill ? f.dateTime(o.fill.ts) : '', o.fill?.price ?? '', o.fill?.notional ?? '', o.fill?.commission ?? '', o.fill?.tax ?? ''])]));

    const ordersTable = sortableTable([
      { key: 'id', label: '#', align: 'r' },
      { key: 'symbol', label: 'Symbol', render: (o) => h('span', { class: 'mono' }, o.symbol) },
      { key: 'side', label: 'Side', render: (o) => h('span', { class: o.side === 'buy' ? 'up' : 'down' }, o.side === 'buy' ? 'Buy' : 'Sell') },
      { key: 'ts', label: 'Filled', value: (o) => o.fill?.ts ?? o.decided_ts, render: (o) => o.fill ? f.barTime(o.fill.ts, interval) : h('span', { class: 'badge failed' }, 'Rejected') },
      { key: 'quantity', label: 'Shares', align: 'r', render: (o) => f.int(o.quantity) },
      { key: 'price', label: 'Price ₩', align: 'r', value: (o) => o.fill?.price ?? null, render: (o) => f.price(o.fill?.price) },
      { key: 'notional', label: 'Amount', align: 'r', value: (o) => o.fill?.notional ?? null, render: (o) => f.krw(o.fill?.notional), hideSm: true },
      { key: 'costs', label: 'Fees + tax', align: 'r', value: (o) => (o.fill ? o.fill.commission + o.fill.tax : null), render: (o) => (o.fill ? f.krw(o.fill.commission + o.fill.tax) : '—'), hideSm: true },
      { key: 'reason', label: 'Reason', render: (o) => REASONS[o.reason] || o.reason, hideSm: true },
    ], orders, { initial: { key: 'id' }, empty: 'No orders.', pageSize: 50 });

    const wins = trades.filter((t) => t.pnl > 0).length;
    root.replaceChildren(
      header(b),
      metricCards(m, s),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Equity'),
          h('div', { class: 'legend' },
            h('span', null, h('span', { class: 'swatch', style: { background: '#2563eb' } }), 'Strategy'),
            h('span', null, h('span', { class: 'swatch dashed' }), `Buy & hold (equal weight, no costs)`))),
        h('div', { class: 'card-body' }, equityEl)),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Drawdown'), h('span', { class: 'hint' }, `Deepest: ${f.pct(m.max_drawdown)} below the running peak`)),
        h('div', { class: 'card-body' }, ddEl)),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Price and trades'), tabs,
          h('div', { class: 'legend' }, h('span', { class: 'up' }, '▲ Buy'), h('span', { class: 'down' }, '▼ Sell'))),
        h('div', { class: 'card-body' }, candleEl)),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('div', null, h('h2', null, 'Trades'), h('span', { class: 'hint' }, `${f.plural(trades.length, 'closed trade')} · ${wins} won · click a column to sort`)),
          h('div', { class: 'row', style: { gap: '6px' } },
            h('button', { class: 'btn small', id: 'export-trades', onclick: exportTrades }, '⤓ Trades CSV'),
            h('button', { class: 'btn small', onclick: exportEquity }, '⤓ Equity CSV'),
            h('button', { class: 'btn small', onclick: exportOrders }, '⤓ Orders CSV'))),
        tradesTable),
      h('div', { class: 'card' }, h('details', { class: 'more' }, h('summary', null, `Orders (${f.int(orders.length)})`), ordersTable)),
      inputsCard(b));

    // Charts need their containers in the document to measure them.
    const draw = () => {
      if (!equityEl.isConnected) { requestAnimationFrame(draw); return; }
      cleanups.push(lineChart(equityEl, [
        { name: 'Strategy', color: '#2563eb', points: equity.map((p) => ({ ts: p.ts, value: p.equity })) },
        { name: 'Buy & hold', color: '#94a3b8', dashed: true, width: 1.5, points: equity.map((p) => ({ ts: p.ts, value: p.benchmark })) },
      ], { interval }));
      cleanups.push(drawdownChart(ddEl, equity, { interval }));
      drawCandles();
    };
    requestAnimationFrame(draw);
  }

  let setProgress = null;
  function render(b) {
    if (b.status === 'done') {
      if (mountedDone) return Promise.resolve();
      mountedDone = true;
      return renderDone(b);
    }
    if (b.status === 'failed' || b.status === 'canceled') { renderFailed(b); return Promise.resolve(); }
    setProgress = renderProgress(b);
    return Promise.resolve();
  }

  const unsub = subscribe('backtest', async (e) => {
    if (e.id !== id) return;
    if (e.status === 'deleted') { location.hash = '#/backtests'; return; }
    if (e.status === 'queued' || e.status === 'running') {
      if (!setProgress || backtest.status !== e.status) { backtest = { ...backtest, status: e.status, progress: e.progress }; setProgress = renderProgress(backtest); }
      setProgress(e.progress, e.status);
      return;
    }
    if (e.status === 'done' && setProgress) setProgress(1, 'running');
    backtest = await api.get(`/api/backtests/${id}`);
    await render(backtest);
  });
  // An event may have been missed between the first GET and subscribing: read the state again.
  const unsubReconnect = subscribe('reconnected', async () => {
    if (backtest.status === 'done') return;
    backtest = await api.get(`/api/backtests/${id}`);
    await render(backtest);
  });
  cleanups.push(unsub, unsubReconnect);

  await render(backtest);
  return {
    el: root,
    title: `Backtest #${id}`,
    mounted: async () => {
      if (backtest.status === 'queued' || backtest.status === 'running') {
        backtest = await api.get(`/api/backtests/${id}`);
        if (backtest.status !== 'queued' && backtest.status !== 'running') await render(backtest);
      }
    },
    cleanup: () => cleanups.forEach((c) => { try { c(); } catch { /* chart already gone */ } }),
  };
}
