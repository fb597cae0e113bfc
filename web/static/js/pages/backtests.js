// Backtests: the list (live via SSE, select runs to compare) and the launch form with defaults.
import { api, ApiError, subscribe } from '../api.js';
import { h, toast, confirmDialog, statusBadge, progressBar, problemAlert, moneyInput, costInputs } from '../ui.js';
import * as f from '../format.js';

// A run's status never leaves these; an event saying otherwise is older news arriving late.
const isFinal = (status) => ['done', 'failed', 'canceled', 'deleted'].includes(status);

function period(b) {
  const s = b.settings || {};
  if (!s.from && !s.to) return 'all data';
  return `${s.from || '…'} → ${s.to || '…'}`;
}

export async function backtestsPage() {
  let list = await api.get('/api/backtests');
  const selected = new Set();
  const tbody = h('tbody');
  const compareBtn = h('button', { class: 'btn', id: 'compare', disabled: true, onclick: () => { location.hash = `#/compare?ids=${[...selected].sort((a, b) => a - b).join(',')}`; } }, 'Compare selected');

  function updateCompare() {
    compareBtn.disabled = selected.size < 2;
    compareBtn.textContent = selected.size >= 2 ? `Compare ${selected.size} runs` : 'Compare selected';
  }

  async function cancel(b) {
    try { await api.post(`/api/backtests/${b.id}/cancel`); } catch (e) { toast(e.message, 'error'); }
  }
  async function remove(b) {
    if (!await confirmDialog(`Delete backtest #${b.id}?`, 'Its results are deleted too.')) return;
    try {
      await api.del(`/api/backtests/${b.id}`);
      list = list.filter((x) => x.id !== b.id);
      selected.delete(b.id);
      render();
      updateCompare();
    } catch (e) { toast(e.message, 'error'); }
  }

  function row(b) {
    const m = b.metrics || {};
    const running = b.status === 'running' || b.status === 'queued';
    return h('tr', { 'data-id': b.id },
      h('td', { style: { width: '36px' } }, h('input', { type: 'checkbox', 'aria-label': `Select run ${b.id}`, class: 'select', checked: selected.has(b.id), disabled: b.status !== 'done',
        onchange: (e) => { if (e.target.checked) selected.add(b.id); else selected.delete(b.id); updateCompare(); } })),
      h('td', null, h('a', { href: `#/backtests/${b.id}` }, `#${b.id}`)),
      h('td', null, h('div', null, b.strategy_name || h('span', { class: 'muted' }, '(deleted)'), h('span', { class: 'muted small' }, ` v${b.strategy_version}`)),
        h('div', { class: 'small muted mono' }, (b.settings?.symbols || []).join(', '))),
      h('td', { class: 'hide-sm small' }, period(b)),
      h('td', null, running
        ? h('div', { class: 'progress-row', style: { minWidth: '150px' } }, statusBadge(b.status), b.status === 'running' ? progressBar(b.progress) : null)
        : h('span', { title: b.error || '' }, statusBadge(b.status))),
      h('td', { class: `r num ${f.dir(m.total_return)}` }, f.pct(m.total_return, 2, true)),
      h('td', { class: 'r num hide-sm' }, f.pct(-m.max_drawdown)),
      h('td', { class: 'r num hide-sm' }, f.num(m.sharpe)),
      h('td', { class: 'r num hide-sm' }, f.int(m.trades)),
      h('td', { class: 'r muted hide-sm', title: f.dateTime(b.created_at) }, f.ago(b.created_at)),
      h('td', { class: 'actions' }, running
        ? h('button', { class: 'btn small', onclick: () => cancel(b) }, 'Cancel')
        : h('button', { class: 'btn small ghost danger', onclick: () => remove(b) }, 'Delete')));
  }
  function render() {
    tbody.replaceChildren(...(list.length ? list.map(row) : [h('tr', null, h('td', { colspan: 11, class: 'empty' },
      h('h3', null, 'No backtests yet'), h('p', null, 'Run a strategy over stored data to see how it would have done.'),
      h('a', { class: 'btn primary', href: '#/backtests/new' }, 'New backtest')))]));
  }
  render();

  const unsub = subscribe('backtest', async (e) => {
    let b = list.find((x) => x.id === e.id);
    if (e.status === 'deleted') { list = list.filter((x) => x.id !== e.id); render(); return; }
    if (!b || e.status === 'done' || e.status === 'failed') {
      try { const full = await api.get(`/api/backtests/${e.id}`); if (b) Object.assign(b, full); else list.unshift(b = full); } catch { return; }
    } else if (!isFinal(b.status)) {
      b.status = e.status;
      b.progress = e.progress;
    }
    render();
  });

  return {
    title: 'Backtests',
    el: h('div', null,
      h('div', { class: 'page-head' },
        h('div', null, h('h1', null, 'Backtests'), h('p', { class: 'sub' }, 'Every run keeps the exact script, parameters and settings it used. Select two or more finished runs to compare them.')),
        h('div', { class: 'actions' }, compareBtn, h('a', { class: 'btn primary', href: '#/backtests/new' }, '+ New backtest'))),
      h('div', { class: 'card' }, h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'backtests' },
        h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'Run'), h('th', null, 'Strategy'), h('th', { class: 'hide-sm' }, 'Period'), h('th', null, 'Status'),
          h('th', { class: 'r' }, 'Return'), h('th', { class: 'r hide-sm' }, 'Max DD'), h('th', { class: 'r hide-sm' }, 'Sharpe'), h('th', { class: 'r hide-sm' }, 'Trades'), h('th', { class: 'r hide-sm' }, 'Created'), h('th', null, ''))),
        tbody)))),
    cleanup: unsub,
  };
}

export async function newBacktestPage(q) {
  const [strategies, coverage] = await Promise.all([api.get('/api/strategies'), api.get('/api/bars')]);
  if (!strategies.length) {
    return { title: 'New backtest', el: h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'New backtest'))),
      h('div', { class: 'card' }, h('div', { class: 'empty' }, h('h3', null, 'First, a strategy'), h('p', null, 'A backtest runs one of your strategies over stored data.'),
        h('a', { class: 'btn primary', href: '#/strategies/new' }, 'Write a strategy')))) };
  }
  const wanted = Number(q.get('strategy'));
  let strategy = strategies.find((s) => s.id === wanted) || [...strategies].sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
  let params = {};

  const select = h('select', { id: 'strategy' }, strategies.map((s) => h('option', { value: s.id, selected: s.id === strategy.id }, `${s.name} (v${s.version})`)));
  const symbolsBox = h('div', { class: 'chips', id: 'symbols' });
  const available = h('div', { class: 'help' });
  const from = h('input', { type: 'date', id: 'from' });
  const to = h('input', { type: 'date', id: 'to' });
  const cash = moneyInput('cash', 100_000_000);
  const costs = costInputs();
  const paramsBox = h('div');
  const alert = h('div');
  const submit = h('button', { class: 'btn primary', type: 'submit', id: 'run' }, 'Run backtest');

  let chosen = new Set();
  function seriesOf(symbol) {
    return coverage.filter((c) => c.symbol === symbol && (c.interval === strategy.interval || c.interval === '1m'));
  }
  function renderSymbols() {
    const all = [...new Set([...strategy.symbols, ...coverage.filter((c) => c.interval === strategy.interval).map((c) => c.symbol)])];
    symbolsBox.replaceChildren(...all.map((s) => {
      const has = seriesOf(s).length > 0;
      return h('label', { class: `chip${chosen.has(s) ? ' on' : ''}`, title: has ? '' : `No ${strategy.interval} data stored for ${s}` },
        h('input', { type: 'checkbox', checked: chosen.has(s), value: s, onchange: (e) => { if (e.target.checked) chosen.add(s); else chosen.delete(s); renderSymbols(); updateRange(); } }),
        s, has ? null : h('span', { class: 'small', style: { color: 'var(--danger)' } }, ' no data'));
    }));
  }
  function updateRange() {
    const series = [...chosen].flatMap(seriesOf);
    if (!series.length) { available.textContent = `No ${strategy.interval} data stored for the chosen symbols — import it on the Data page.`; return; }
    const first = Math.max(...[...chosen].map((s) => Math.min(...seriesOf(s).map((c) => c.first_ts)).valueOf()).filter(Number.isFinite));
    const last = Math.min(...[...chosen].map((s) => Math.max(...seriesOf(s).map((c) => c.last_ts))).filter(Number.isFinite));
    available.textContent = `Data available ${f.date(first)} to ${f.date(last)} (${strategy.interval} bars).`;
    from.value = f.isoDate(first);
    to.value = f.isoDate(last);
    from.min = to.min = f.isoDate(first);
    from.max = to.max = f.isoDate(last);
  }
  async function loadStrategy() {
    chosen = new Set(strategy.symbols);
    params = {};
    renderSymbols();
    updateRange();
    paramsBox.replaceChildren(h('span', { class: 'small muted' }, 'Loading parameters…'));
    try {
      const v = await api.post('/api/strategies/validate', { script: strategy.script, params: strategy.params });
      if (!v.params.length) { paramsBox.replaceChildren(h('span', { class: 'small muted' }, 'This strategy has no parameters.')); return; }
      paramsBox.replaceChildren(h('div', { class: 'form-grid', style: { gridTemplateColumns: 'repeat(auto-fill, minmax(120px, 1fr))', gap: '10px' } },
        v.params.map((p) => h('div', { class: 'field' }, h('label', { title: p.help || '' }, p.name),
          h('input', { type: 'number', step: 'any', class: 'num-input', 'data-param': p.name, placeholder: String(strategy.params[p.name] ?? p.default),
            oninput: (e) => { if (e.target.value === '') delete params[p.name]; else params[p.name] = Number(e.target.value); } }),
          p.help ? h('span', { class: 'help' }, p.help) : null))),
        h('div', { class: 'help', style: { marginTop: '6px' } }, 'Leave empty to use the strategy\'s value (shown).'));
    } catch (e) { paramsBox.replaceChildren(h('span', { class: 'small muted' }, e.message)); }
  }
  select.addEventListener('change', () => { strategy = strategies.find((s) => s.id === Number(select.value)); loadStrategy(); });

  // Events can arrive before the POST answers with the id: remember the latest per id.
  const latest = new Map();
  let watching = null;  // the id whose progress this page shows
  let onEvent = null;
  const unsub = subscribe('backtest', (e) => {
    if (isFinal(latest.get(e.id)?.status)) return;  // a run that ended stays ended
    latest.set(e.id, e);
    if (e.id === watching && onEvent) onEvent(e);
  });
  // Events sent while the stream was down are lost: ask for the state of the run being watched.
  const unsubReconnect = subscribe('reconnected', async () => {
    if (watching === null) return;
    try {
      const b = await api.get(`/api/backtests/${watching}`);
      if (onEvent) onEvent({ id: b.id, status: b.status, progress: b.progress, error: b.error });
    } catch { /* the next event will tell */ }
  });

  function showProgress(id) {
    const pctText = h('span', { class: 'pct', id: 'launch-pct' }, '0%');
    const bar = progressBar(0, true);
    bar.id = 'launch-progress';
    const label = h('span', { id: 'launch-status' }, 'Queued');
    alert.replaceChildren(h('div', { class: 'card', id: 'launch' }, h('div', { class: 'card-body stack' },
      h('div', { class: 'row' }, h('h2', null, `Backtest #${id}`), label, h('span', { class: 'spacer' }), h('a', { href: `#/backtests/${id}` }, 'Open result page')),
      h('div', { class: 'progress-row' }, h('div', { style: { flex: 1 } }, bar), pctText))));
    let finished = false;
    onEvent = (e) => {
      if (finished) return;
      const v = e.status === 'done' ? 1 : Math.max(0, Math.min(1, e.progress || 0));
      bar.firstChild.style.width = `${v * 100}%`;
      bar.setAttribute('aria-valuenow', String(Math.floor(v * 100)));
      pctText.textContent = `${Math.floor(v * 100)}%`;
      label.replaceChildren(statusBadge(e.status, v));
      if (e.status === 'done') {
        finished = true;
        setTimeout(() => { if (location.hash.startsWith('#/backtests/new')) location.hash = `#/backtests/${id}`; }, 700);
      } else if (e.status === 'failed' || e.status === 'canceled') {
        finished = true;
        alert.append(h('div', { class: 'alert error' }, h('strong', null, e.status === 'failed' ? 'The backtest failed. ' : 'Canceled. '), e.error || ''));
        submit.disabled = false;
        submit.textContent = 'Run backtest';
      }
    };
    watching = id;
    if (latest.has(id)) onEvent(latest.get(id));
    alert.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }

  async function run(e) {
    e.preventDefault();
    alert.replaceChildren();
    const body = {
      strategy_id: strategy.id, symbols: [...chosen], from: from.value || undefined, to: to.value || undefined,
      cash: cash.value(), ...costs.request(),
    };
    if (Object.keys(params).length) body.params = params;
    submit.disabled = true;
    submit.textContent = 'Running…';
    try {
      const r = await api.post('/api/backtests', body);
      showProgress(r.id);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      alert.replaceChildren(err.status === 429
        ? h('div', { class: 'alert warn' }, h('strong', null, 'The queue is full. '), `Too many backtests are waiting; try again in ${err.problem.retryAfter || 5} seconds.`)
        : problemAlert(err, 'Cannot run this backtest.'));
      submit.disabled = false;
      submit.textContent = 'Run backtest';
    }
  }

  const field = (label, control, help, id) => h('div', { class: 'field' }, h('label', { for: id }, label), control, help ? h('span', { class: 'help' }, help) : null);
  const el = h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/backtests' }, 'Backtests'), ' / New'),
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'New backtest'), h('p', { class: 'sub' }, 'Sensible defaults are filled in: all available data, ₩100,000,000, KRX fees and taxes.'))),
    h('form', { onsubmit: run },
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'What to test')),
        h('div', { class: 'card-body stack' },
          h('div', { class: 'form-grid' },
            field('Strategy', select, null, 'strategy'),
            h('div', { class: 'field wide' }, h('span', { class: 'label' }, 'Symbols'), symbolsBox, available),
            field('From', from, 'First day (KST)', 'from'),
            field('To', to, 'Last day, inclusive', 'to'),
            field('Initial capital (₩)', cash.input, 'KRW', 'cash')),
          h('div', { class: 'field' }, h('span', { class: 'label' }, 'Parameters'), paramsBox))),
      h('details', { class: 'card more' }, h('summary', null, 'Costs and execution'),
        h('div', { class: 'card-body', style: { paddingTop: 0 } }, h('div', { class: 'form-grid' },
          ...costs.fields(field)),
          h('p', { class: 'small muted', style: { marginTop: '12px' } }, 'Orders decided at a bar\'s close fill at the next bar\'s open. Fees and taxes are rounded down to the won, as brokers do.'))),
      alert,
      h('div', { class: 'form-actions' }, h('a', { class: 'btn', href: '#/backtests' }, 'Cancel'), submit)));
  await loadStrategy();
  return { el, title: 'New backtest', cleanup: () => { unsub(); unsubReconnect(); } };
}
