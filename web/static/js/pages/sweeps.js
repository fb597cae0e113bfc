// Sweeps: one strategy over many parameter sets (a grid, random draws from it, or a walk-forward
// analysis). The list (live over SSE), the form with a live run count, and one sweep's page: a
// heatmap that fills in as runs arrive, a sortable table of every run, the best run, PBO and the
// walk-forward out-of-sample curve. Any run opens as an ordinary backtest.
import { api, ApiError, subscribe } from '../api.js';
import { h, toast, confirmDialog, statusBadge, progressBar, problemAlert, moneyInput, sortableTable, costInputs } from '../ui.js';
import { lineChart } from '../charts.js';
import * as f from '../format.js';

// What a sweep can rank by. `center`: the value the heatmap's diverging scale is centered on
// (null: a sequential scale); `lower`: lower is better.
const METRICS = [
  { key: 'sharpe', label: 'Sharpe', fmt: (v) => f.num(v), center: 0 },
  { key: 'sortino', label: 'Sortino', fmt: (v) => f.num(v), center: 0 },
  { key: 'total_return', label: 'Total return', fmt: (v) => f.pct(v, 1, true), center: 0 },
  { key: 'cagr', label: 'CAGR', fmt: (v) => f.pct(v, 1, true), center: 0 },
  { key: 'calmar', label: 'Calmar', fmt: (v) => f.num(v), center: 0 },
  { key: 'profit_factor', label: 'Profit factor', fmt: (v) => f.num(v), center: 1 },
  { key: 'expectancy', label: 'Expectancy', fmt: (v) => f.krwCompact(v), center: 0 },
  { key: 'win_rate', label: 'Win rate', fmt: (v) => f.pct(v, 1), center: null },
  { key: 'final_equity', label: 'Final equity', fmt: (v) => f.krwCompact(v), center: 'cash' },
  { key: 'max_drawdown', label: 'Max drawdown', fmt: (v) => f.pct(v, 1), center: null, lower: true },
];
const metricOf = (key) => METRICS.find((m) => m.key === key) || METRICS[0];
const KINDS = { grid: 'Grid', random: 'Random', walk_forward: 'Walk-forward' };
const PHASES = { full: 'Full period', in_sample: 'In sample', out_of_sample: 'Out of sample' };
const isFinal = (status) => ['done', 'failed', 'canceled', 'deleted'].includes(status);
const PBO_TEXT = 'PBO: the probability that the best in-sample parameter set is no better than the median out of sample.';
const PBO_HELP = 'Probability of backtest overfitting (Bailey, Borwein, López de Prado, Zhu 2017): the full-period runs are cut into 16 blocks; for each of the 12,870 ways to pick half of them, the run with the best Sharpe on that half is ranked on the other half. PBO is the share of splits where it ranks at or below the median. Near 0: the winner\'s edge holds across the data. Near 0.5 or above: the ranking is noise. (docs/metrics.md, "Sweeps and walk-forward")';
const WFE_TEXT = 'Walk-forward efficiency: the annualized out-of-sample return over the mean annualized in-sample return of each window\'s winner.';
const WFE_HELP = 'Pardo (2008): each window\'s best in-sample set is run on the next, unseen, window; the test windows are stitched into one curve. Above 0.5 reads as robust; far below, the optimization found noise. Null when the in-sample mean is not positive. (docs/metrics.md, "Sweeps and walk-forward")';

const fill = (el, ...children) => { el.append(...children); return el; };
const numText = (v) => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6))));
const paramText = (params, names) => names.map((n) => `${n}=${numText(params?.[n])}`).join(', ');
const inclusiveEnd = (t) => f.date(Date.parse(t) - 1);

// Opens a sweep's run as an ordinary backtest (rebuilt in full) and goes to its result page.
export async function openRun(sweepId, run) {
  try {
    const r = await api.post(`/api/sweeps/${sweepId}/runs/${run}/backtest`);
    location.hash = `#/backtests/${r.id}`;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    toast(e.status === 429 ? `The queue is full; try again in ${e.problem.retryAfter || 5} seconds.` : e.message, 'error');
  }
}

// ---- SVG helpers (no library): bars for a one-parameter sweep and the PBO logit histogram ----
const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// bars: [{label, value, color, title, onclick, attrs}]; values may be negative (bars grow from 0).
function barChart(bars, { width = 640, height = 200, format = (v) => f.num(v), labelEvery = 0, id } = {}) {
  const pad = { l: 46, r: 8, t: 10, b: 26 };
  const vals = bars.map((b) => b.value).filter(Number.isFinite);
  let lo = Math.min(0, ...vals), hi = Math.max(0, ...vals);
  if (lo === hi) hi = lo + 1;
  const y = (v) => pad.t + (hi - v) / (hi - lo) * (height - pad.t - pad.b);
  const bw = (width - pad.l - pad.r) / Math.max(1, bars.length);
  const every = labelEvery || Math.max(1, Math.ceil(bars.length / 12));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'bars', role: 'img', id });
  for (const v of [hi, 0, lo]) {
    if (v !== 0 && (v === hi && hi === 0)) continue;
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }),
      s('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, format(v)));
  }
  bars.forEach((b, i) => {
    const x = pad.l + i * bw;
    if (Number.isFinite(b.value)) {
      const top = y(Math.max(0, b.value)), bottom = y(Math.min(0, b.value));
      const rect = s('rect', { x: x + bw * 0.12, width: Math.max(1, bw * 0.76), y: top, height: Math.max(b.value === 0 ? 1 : 0.5, bottom - top), fill: b.color, ...(b.attrs || {}) },
        s('title', null, b.title || `${b.label}: ${format(b.value)}`));
      if (b.onclick) { rect.addEventListener('click', b.onclick); rect.setAttribute('class', 'clickable'); }
      svg.append(rect);
    }
    if (b.label !== undefined && i % every === 0) svg.append(s('text', { x: x + bw / 2, y: height - 8, 'text-anchor': 'middle', class: 'tick' }, b.label));
  });
  return svg;
}

// ---- colors: returns by html[data-colors] (--up / --down), diverging around a center ----
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
function rgb(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  const n = m ? parseInt(m[1], 16) : 0x94a3b8;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
const mix = (a, b, t) => `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * t)).join(', ')})`;
const PALE = rgb('#f8fafc');

function colorScale(metric, values, cash) {
  const finite = values.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0, max = finite.length ? Math.max(...finite) : 0;
  const center = metric.center === 'cash' ? cash : metric.center;
  if (center !== null && center !== undefined) {
    const up = rgb(css('--up') || '#d92d20'), down = rgb(css('--down') || '#1f5fd6');
    const span = Math.max(Math.abs(max - center), Math.abs(min - center)) || 1;
    // Each side of the center on its own span, so a few large gains do not wash out the losses.
    const above = max - center || span, below = center - min || span;
    const color = (v) => { const t = v >= center ? (v - center) / above : (v - center) / below; return mix(PALE, t >= 0 ? up : down, 0.12 + 0.88 * Math.min(1, Math.abs(t))); };
    // The legend runs from min to max, through the center's pale color when it lies between.
    const stops = min < center && max > center ? [color(min), `${mix(PALE, down, 0)} ${((center - min) / (max - min)) * 100}%`, color(max)] : [color(min), color(max)];
    return {
      min, max, center, color,
      strong: (v) => (v >= center ? (v - center) / above : (center - v) / below) > 0.6,
      gradient: `linear-gradient(90deg, ${stops.join(', ')})`,
    };
  }
  const dark = rgb('#1e3a8a'), light = rgb('#e0ecff');
  const span = max - min || 1;
  return {
    min, max, center: null,
    color: (v) => mix(light, dark, (v - min) / span),
    strong: (v) => (v - min) / span > 0.55,
    gradient: `linear-gradient(90deg, ${mix(light, dark, 0)}, ${mix(light, dark, 1)})`,
  };
}

// ---- the list ----
const bestCache = new Map();  // sweep id → its summary's best (a finished sweep never changes)

export async function sweepsPage() {
  let list = (await api.get('/api/sweeps')).sweeps;
  const tbody = h('tbody');
  let alive = true;
  const skipped = new Set();

  async function loadBest() {
    // The list carries each finished sweep's best run; a daemon that does not is asked per sweep.
    let known = false;
    for (const x of list) {
      if (x.status === 'done' && 'best' in x && !bestCache.has(x.id)) {
        bestCache.set(x.id, x.best);
        known = true;
      }
    }
    if (known) render();
    const todo = list.filter((x) => x.status === 'done' && !bestCache.has(x.id));
    for (const sw of todo.slice(20)) skipped.add(sw.id);  // older ones: open the sweep to see
    for (const sw of todo.slice(0, 20)) {
      if (!alive) return;
      try {
        const full = await api.get(`/api/sweeps/${sw.id}`);
        bestCache.set(sw.id, full.summary ? { metric: full.summary.metric, best: full.summary.best } : null);
        skipped.delete(sw.id);
        render();
      } catch { /* deleted meanwhile */ }
    }
  }
  async function cancel(sw) {
    try { await api.post(`/api/sweeps/${sw.id}/cancel`); } catch (e) { toast(e.message, 'error'); }
  }
  async function remove(sw) {
    if (!await confirmDialog(`Delete sweep #${sw.id}?`, 'Its runs are deleted too. Backtests opened from them stay.')) return;
    try {
      await api.del(`/api/sweeps/${sw.id}`);
      list = list.filter((x) => x.id !== sw.id);
      render();
    } catch (e) { toast(e.message, 'error'); }
  }
  function bestCell(sw) {
    const b = bestCache.get(sw.id);
    if (sw.status !== 'done') return h('span', { class: 'muted' }, '—');
    if (b === undefined) return skipped.has(sw.id) ? h('a', { href: `#/sweeps/${sw.id}`, class: 'small' }, 'see the sweep') : h('span', { class: 'muted small' }, '…');
    if (!b || !b.best) return h('span', { class: 'muted' }, 'none');
    const m = metricOf(b.metric);
    const v = b.best.metrics?.[m.key];
    return h('span', { title: paramText(b.best.params, Object.keys(b.best.params || {})) },
      h('span', { class: 'muted small' }, `${m.label} `), h('span', { class: `num ${m.center === 0 ? f.dir(v) : ''}` }, m.fmt(v)));
  }
  function row(sw) {
    const running = sw.status === 'running' || sw.status === 'queued';
    return h('tr', { 'data-id': sw.id, 'data-status': sw.status },
      h('td', null, h('a', { href: `#/sweeps/${sw.id}` }, `#${sw.id}`)),
      h('td', null, h('span', { class: `badge kind-${sw.kind}` }, KINDS[sw.kind] || sw.kind)),
      h('td', null, h('div', null, sw.strategy_name || h('span', { class: 'muted' }, '(deleted)'), h('span', { class: 'muted small' }, ` v${sw.strategy_version}`)),
        h('div', { class: 'small muted mono' }, (sw.settings?.symbols || []).join(', '))),
      h('td', null, running
        ? h('div', { class: 'progress-row', style: { minWidth: '140px' } }, statusBadge(sw.status), progressBar(sw.progress))
        : h('span', { title: sw.error || '' }, statusBadge(sw.status))),
      h('td', { class: 'r num' }, `${f.int(sw.runs_done)} / ${f.int(sw.runs_total)}`),
      h('td', { class: 'r hide-sm' }, bestCell(sw)),
      h('td', { class: 'r muted hide-sm', title: f.dateTime(sw.created_at) }, f.ago(sw.created_at)),
      h('td', { class: 'actions' }, running
        ? h('button', { class: 'btn small', 'data-cancel': sw.id, onclick: () => cancel(sw) }, 'Cancel')
        : h('button', { class: 'btn small ghost danger', 'data-delete': sw.id, onclick: () => remove(sw) }, 'Delete')));
  }
  function render() {
    tbody.replaceChildren(...(list.length ? list.map(row) : [h('tr', null, h('td', { colspan: 8, class: 'empty' },
      h('h3', null, 'No sweeps yet'), h('p', null, 'Run one strategy over many parameter sets, see which ones work, and check whether the winner is luck.'),
      h('a', { class: 'btn primary', href: '#/sweeps/new' }, 'New sweep')))]));
  }
  render();
  loadBest();

  let timer = null;
  const later = () => { if (!timer) timer = setTimeout(() => { timer = null; render(); }, 150); };
  const unsub = subscribe('sweep', async (e) => {
    const sw = list.find((x) => x.id === e.id);
    if (e.status === 'deleted') { list = list.filter((x) => x.id !== e.id); render(); return; }
    if (!sw) {
      try { list = (await api.get('/api/sweeps')).sweeps; } catch { return; }
      render();
      return;
    }
    if (isFinal(sw.status)) return;  // late news about a finished sweep
    Object.assign(sw, { status: e.status, progress: e.progress, runs_done: e.runs_done, error: e.error ?? sw.error });
    if (e.status === 'done') { render(); loadBest(); } else later();
  });
  const unsubReconnect = subscribe('reconnected', async () => {
    try { list = (await api.get('/api/sweeps')).sweeps; render(); loadBest(); } catch { /* next event */ }
  });

  return {
    title: 'Sweeps',
    el: h('div', null,
      h('div', { class: 'page-head' },
        h('div', null, h('h1', null, 'Sweeps'), h('p', { class: 'sub' }, 'One strategy over many parameter sets, on the same bars: a grid, random draws from it, or a walk-forward analysis. Any run opens as an ordinary backtest.')),
        h('div', { class: 'actions' }, h('a', { class: 'btn primary', href: '#/sweeps/new', id: 'new-sweep' }, '+ New sweep'))),
      h('div', { class: 'card' }, h('div', { class: 'table-wrap' }, h('table', { class: 'table', id: 'sweeps' },
        h('thead', null, h('tr', null, h('th', null, 'Sweep'), h('th', null, 'Kind'), h('th', null, 'Strategy'), h('th', null, 'Status'),
          h('th', { class: 'r' }, 'Runs'), h('th', { class: 'r hide-sm' }, 'Best'), h('th', { class: 'r hide-sm' }, 'Created'), h('th', null, ''))),
        tbody)))),
    cleanup: () => { alive = false; clearTimeout(timer); unsub(); unsubReconnect(); },
  };
}

// ---- the form ----
const DAY = 86400000;

// How many values a parameter's list or range gives (NaN when it is not well formed).
function parseList(text) {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const values = parts.map(Number);
  return values.every(Number.isFinite) ? values : null;
}
function rangeCount(from, to, step) {
  if (![from, to, step].every(Number.isFinite) || step <= 0 || to < from) return NaN;
  return Math.floor((to - from) / step + 1e-9) + 1;
}

export async function newSweepPage(q) {
  const [strategies, coverage, builtins] = await Promise.all([api.get('/api/strategies'), api.get('/api/bars'), api.get('/api/strategies/builtins').catch(() => [])]);
  if (!strategies.length) {
    return { title: 'New sweep', el: h('div', null,
      h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'New sweep'))),
      h('div', { class: 'card' }, h('div', { class: 'empty' }, h('h3', null, 'First, a strategy'), h('p', null, 'A sweep runs one of your strategies with many parameter sets.'),
        h('a', { class: 'btn primary', href: '#/strategies/new' }, 'Write a strategy')))) };
  }
  const wanted = Number(q.get('strategy'));
  let strategy = strategies.find((x) => x.id === wanted) || [...strategies].sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0];
  let declared = [];  // [{name, default, help, min, max, integer}]
  const modes = {};   // name → {mode: 'fixed'|'list'|'range', inputs}

  const errs = {};
  const errorFor = (key) => (errs[key] = h('div', { class: 'field-error', hidden: true, 'data-error-for': key }));
  const select = h('select', { id: 'sweep-strategy' }, strategies.map((x) => h('option', { value: x.id, selected: x.id === strategy.id }, `${x.name} (v${x.version})`)));
  const symbolsBox = h('div', { class: 'chips', id: 'symbols' });
  const available = h('div', { class: 'help' });
  const from = h('input', { type: 'date', id: 'from' });
  const to = h('input', { type: 'date', id: 'to' });
  const cash = moneyInput('cash', 100_000_000);
  const costs = costInputs();  // every run of the sweep uses them
  const paramsBox = h('div', { class: 'stack', id: 'sweep-params' });
  const count = h('div', { class: 'run-count', id: 'run-count', 'aria-live': 'polite' });
  const metric = h('select', { id: 'metric' }, METRICS.map((m) => h('option', { value: m.key }, `${m.label}${m.lower ? ' (lower is better)' : ''}`)));
  const maxRuns = h('input', { type: 'number', id: 'max-runs', min: '1', max: '10000', step: '1', value: '500', class: 'num-input' });
  const randomOn = h('input', { type: 'checkbox', id: 'random-on' });
  const randomRuns = h('input', { type: 'number', id: 'random-runs', min: '1', step: '1', value: '50', class: 'num-input', disabled: true });
  const randomSeed = h('input', { type: 'number', id: 'random-seed', min: '0', step: '1', value: '1', class: 'num-input', disabled: true });
  const wfOn = h('input', { type: 'checkbox', id: 'wf-on' });
  const wfIn = h('input', { type: 'number', id: 'wf-in', min: '1', step: '1', value: '730', class: 'num-input', disabled: true });
  const wfOut = h('input', { type: 'number', id: 'wf-out', min: '1', step: '1', value: '365', class: 'num-input', disabled: true });
  const wfAnchored = h('input', { type: 'checkbox', id: 'wf-anchored', disabled: true });
  const alert = h('div');
  const submit = h('button', { class: 'btn primary', type: 'submit', id: 'sweep-run' }, 'Start sweep');
  const randomBox = h('div', { class: 'form-grid hidden' });
  const wfBox = h('div', { class: 'form-grid hidden' });
  randomOn.addEventListener('change', () => { randomRuns.disabled = randomSeed.disabled = !randomOn.checked; randomBox.classList.toggle('hidden', !randomOn.checked); estimate(); });
  wfOn.addEventListener('change', () => { wfIn.disabled = wfOut.disabled = wfAnchored.disabled = !wfOn.checked; wfBox.classList.toggle('hidden', !wfOn.checked); estimate(); });
  for (const el of [randomRuns, wfIn, wfOut, from, to, maxRuns]) el.addEventListener('input', estimate);
  wfAnchored.addEventListener('change', estimate);

  let chosen = new Set();
  const seriesOf = (symbol) => coverage.filter((c) => c.symbol === symbol && (c.interval === strategy.interval || c.interval === '1m'));
  function renderSymbols() {
    const all = [...new Set([...strategy.symbols, ...coverage.filter((c) => c.interval === strategy.interval).map((c) => c.symbol)])];
    symbolsBox.replaceChildren(...all.map((sym) => {
      const has = seriesOf(sym).length > 0;
      return h('label', { class: `chip${chosen.has(sym) ? ' on' : ''}`, title: has ? '' : `No ${strategy.interval} data stored for ${sym}` },
        h('input', { type: 'checkbox', checked: chosen.has(sym), value: sym, onchange: (e) => { if (e.target.checked) chosen.add(sym); else chosen.delete(sym); renderSymbols(); updateRange(); } }),
        sym, has ? null : h('span', { class: 'small', style: { color: 'var(--danger)' } }, ' no data'));
    }));
  }
  function updateRange() {
    const series = [...chosen].flatMap(seriesOf);
    if (!series.length) { available.textContent = `No ${strategy.interval} data stored for the chosen symbols — import it on the Data page.`; estimate(); return; }
    const first = Math.max(...[...chosen].map((x) => Math.min(...seriesOf(x).map((c) => c.first_ts))).filter(Number.isFinite));
    const last = Math.min(...[...chosen].map((x) => Math.max(...seriesOf(x).map((c) => c.last_ts))).filter(Number.isFinite));
    available.textContent = `Data available ${f.date(first)} to ${f.date(last)} (${strategy.interval} bars).`;
    from.value = f.isoDate(first);
    to.value = f.isoDate(last);
    from.min = to.min = f.isoDate(first);
    from.max = to.max = f.isoDate(last);
    estimate();
  }

  function paramRow(p) {
    const current = strategy.params?.[p.name] ?? p.default;
    const mode = h('select', { 'data-param-mode': p.name, 'aria-label': `How ${p.name} is set` },
      h('option', { value: 'fixed' }, 'Fixed'), h('option', { value: 'list' }, 'Vary: list'), h('option', { value: 'range' }, 'Vary: range'));
    const step = p.integer ? '1' : 'any';
    const fixed = h('input', { type: 'number', step: 'any', class: 'num-input', 'data-param-fixed': p.name, placeholder: numText(current), 'aria-label': `${p.name} value` });
    const list = h('input', { type: 'text', 'data-param-list': p.name, placeholder: `e.g. ${numText(current)}, ${numText(current * 2 || 1)}`, 'aria-label': `${p.name} values`, autocomplete: 'off' });
    const rFrom = h('input', { type: 'number', step, class: 'num-input', 'data-param-from': p.name, placeholder: 'from', 'aria-label': `${p.name} from`, value: numText(current) });
    const rTo = h('input', { type: 'number', step, class: 'num-input', 'data-param-to': p.name, placeholder: 'to', 'aria-label': `${p.name} to`, value: numText(current * 2 || 1) });
    const rStep = h('input', { type: 'number', step, min: '0', class: 'num-input', 'data-param-step': p.name, placeholder: 'step', 'aria-label': `${p.name} step`, value: p.integer ? String(Math.max(1, Math.round(current / 4))) : '' });
    const info = h('span', { class: 'help', 'data-param-count': p.name });
    const rangeBox = h('div', { class: 'range-inputs' }, rFrom, h('span', { class: 'muted' }, '→'), rTo, h('span', { class: 'muted small' }, 'step'), rStep);
    const body = h('div', { class: 'param-value' });
    const entry = { mode, fixed, list, rFrom, rTo, rStep, info };
    const show = () => {
      body.replaceChildren(mode.value === 'fixed' ? fixed : mode.value === 'list' ? list : rangeBox);
      estimate();
    };
    mode.addEventListener('change', show);
    for (const el of [fixed, list, rFrom, rTo, rStep]) el.addEventListener('input', estimate);
    modes[p.name] = entry;
    show();
    const limits = Number.isFinite(p.min) || Number.isFinite(p.max) ? ` ${p.integer ? 'Whole number' : 'Number'} from ${numText(p.min)}${p.max >= 1e6 ? '' : ` to ${numText(p.max)}`}.` : '';
    return h('div', { class: 'param-row', 'data-param-row': p.name },
      h('div', { class: 'param-name' }, h('strong', { class: 'mono' }, p.name), h('span', { class: 'help' }, [p.help ? `${p.help}.` : '', limits].join('').trim())),
      mode, h('div', null, body, info, errorFor(`grid.${p.name}`), errorFor(`params.${p.name}`)));
  }

  // The grid's values per varying parameter: {name: [..] | {from, to, step}}, with their counts.
  function gridOf() {
    const grid = {}, counts = {}, params = {};
    for (const p of declared) {
      const e = modes[p.name];
      if (!e) continue;
      if (e.mode.value === 'list') {
        const v = parseList(e.list.value);
        grid[p.name] = v ?? e.list.value;
        counts[p.name] = v ? v.length : NaN;
        e.info.textContent = v ? (v.length ? f.plural(v.length, 'value') : '') : 'Numbers separated by commas.';
      } else if (e.mode.value === 'range') {
        const r = { from: Number(e.rFrom.value), to: Number(e.rTo.value), step: Number(e.rStep.value) };
        grid[p.name] = r;
        counts[p.name] = rangeCount(r.from, r.to, r.step);
        e.info.textContent = Number.isFinite(counts[p.name]) ? `${f.plural(counts[p.name], 'value')} (inclusive)` : 'From ≤ to, and a step above 0.';
      } else {
        e.info.textContent = '';
        if (e.fixed.value !== '') params[p.name] = Number(e.fixed.value);
      }
    }
    return { grid, counts, params };
  }
  function windowsOf() {
    const a = Date.parse(from.value), b = Date.parse(to.value);
    const ins = Number(wfIn.value), outs = Number(wfOut.value);
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(ins > 0) || !(outs > 0)) return NaN;
    let n = 0;
    while (a + (ins + n * outs) * DAY < b + DAY && n < 10000) n++;
    return n;
  }
  function estimate() {
    const { counts } = gridOf();
    const names = Object.keys(counts);
    if (!names.length) {
      count.replaceChildren(h('span', { class: 'muted' }, 'Choose “Vary” for at least one parameter.'));
      count.dataset.runs = '0';
      return;
    }
    const sets0 = names.reduce((acc, n) => acc * counts[n], 1);
    if (!Number.isFinite(sets0)) { count.replaceChildren(h('span', { class: 'muted' }, 'Fill in every varying parameter to see the run count.')); count.dataset.runs = ''; return; }
    const sets = randomOn.checked ? Math.min(sets0, Math.max(0, Math.floor(Number(randomRuns.value) || 0))) : sets0;
    const parts = [h('strong', null, f.plural(sets, 'parameter set')), randomOn.checked ? ` drawn at random from ${f.int(sets0)}` : names.length > 1 ? ` (${names.map((n) => counts[n]).join(' × ')})` : ''];
    let runs = sets;
    if (wfOn.checked) {
      const w = windowsOf();
      if (Number.isFinite(w) && w > 0) {
        runs = sets + w * (sets + 1);
        parts.push(` · ${f.plural(w, 'walk-forward window')}: ${f.int(sets)} full-period + ${f.int(w)} × (${f.int(sets)} in sample + 1 test)`);
      } else parts.push(' · ', h('span', { class: 'status-error' }, 'the first window is longer than the period'));
    }
    const bound = Number(maxRuns.value) || 500;
    count.dataset.runs = String(runs);
    count.replaceChildren(...[h('span', { class: 'run-total' }, `≈ ${f.plural(runs, 'run')}`), ' — ', ...parts,
      runs > bound ? h('div', { class: 'status-error small' }, `More than the bound of ${f.int(bound)} runs: raise “Max runs” (at most 10,000) or vary less.`) : null].filter((x) => x !== null && x !== ''));
  }

  async function loadStrategy() {
    chosen = new Set(strategy.symbols);
    renderSymbols();
    updateRange();
    paramsBox.replaceChildren(h('span', { class: 'small muted' }, 'Loading parameters…'));
    try {
      const v = await api.post('/api/strategies/validate', { script: strategy.script, params: strategy.params });
      const native = builtins.find((b) => b.script === strategy.script);
      declared = (v.params || []).map((p) => ({ ...p, ...(native?.params.find((x) => x.name === p.name) || {}) }));
      for (const k of Object.keys(modes)) delete modes[k];
      if (!declared.length) { paramsBox.replaceChildren(h('span', { class: 'small muted' }, 'This strategy declares no parameters: there is nothing to sweep.')); estimate(); return; }
      paramsBox.replaceChildren(h('div', { class: 'param-rows' }, declared.map(paramRow)), errorFor('grid'), errorFor('params'),
        h('div', { class: 'help' }, 'A fixed parameter left empty keeps the strategy\'s value (shown). A range is inclusive: from 30 to 90 step 10 is 30, 40, … 90.'));
      estimate();
    } catch (e) { paramsBox.replaceChildren(h('span', { class: 'small muted' }, e.message)); }
  }
  select.addEventListener('change', () => { strategy = strategies.find((x) => x.id === Number(select.value)); loadStrategy(); });

  function clearErrors() {
    alert.replaceChildren();
    for (const el of Object.values(errs)) { el.hidden = true; el.textContent = ''; }
    for (const el of document.querySelectorAll('.invalid')) el.classList.remove('invalid');
  }
  async function run(e) {
    e.preventDefault();
    clearErrors();
    const { grid, params } = gridOf();
    const body = { strategy_id: strategy.id, symbols: [...chosen], from: from.value || undefined, to: to.value || undefined, cash: cash.value(), grid, metric: metric.value, max_runs: Number(maxRuns.value) || undefined };
    Object.assign(body, costs.request());
    if (Object.keys(params).length) body.params = params;
    if (randomOn.checked) body.random = { runs: Number(randomRuns.value), seed: Number(randomSeed.value) };
    if (wfOn.checked) body.walk_forward = { in_sample_days: Number(wfIn.value), out_of_sample_days: Number(wfOut.value), anchored: wfAnchored.checked };
    submit.disabled = true;
    submit.textContent = 'Starting…';
    try {
      const r = await api.post('/api/sweeps', body);
      location.hash = `#/sweeps/${r.id}`;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const unplaced = [];
      for (const x of err.errors) {
        const key = x.field || '';
        const el = errs[key] || errs[key.split('.')[0]] || errs[key.split('.').slice(0, 2).join('.')];
        if (el) { el.textContent = el.textContent ? `${el.textContent} ${x.message}` : x.message; el.hidden = false; } else unplaced.push(x);
        const [a, b] = key.split('.');
        if ((a === 'grid' || a === 'params') && modes[b]) for (const c of [modes[b].list, modes[b].rFrom, modes[b].rTo, modes[b].rStep, modes[b].fixed]) c.classList.add('invalid');
        ({ cash: cash.input, from, to, metric, max_runs: maxRuns, walk_forward: a === 'walk_forward' ? (b === 'out_of_sample_days' ? wfOut : wfIn) : null, random: a === 'random' ? (b === 'seed' ? randomSeed : randomRuns) : null })[a]?.classList.add('invalid');
      }
      alert.replaceChildren(err.status === 429
        ? h('div', { class: 'alert warn' }, h('strong', null, 'The queue is full. '), `Try again in ${err.problem.retryAfter || 5} seconds.`)
        : problemAlert(err, 'Cannot start this sweep.'));
      if (unplaced.length && err.errors.length === 1) { /* the alert names it */ }
      submit.disabled = false;
      submit.textContent = 'Start sweep';
    }
  }

  const field = (label, control, help, id, errKey) => h('div', { class: 'field' }, h('label', { for: id }, label), control, help ? h('span', { class: 'help' }, help) : null, errKey ? errorFor(errKey) : null);
  const el = h('div', null,
    h('div', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, 'Sweeps'), ' / New'),
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, 'New sweep'), h('p', { class: 'sub' }, 'Pick the parameters to vary; every other setting is as in a backtest. The bars are loaded once and every backtest worker runs the sets.'))),
    h('form', { onsubmit: run, id: 'sweep-form', novalidate: true },
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Strategy and data')),
        h('div', { class: 'card-body stack' },
          h('div', { class: 'form-grid' },
            field('Strategy', select, null, 'sweep-strategy', 'strategy_id'),
            h('div', { class: 'field wide' }, h('span', { class: 'label' }, 'Symbols'), symbolsBox, available, errorFor('symbols')),
            field('From', from, 'First day (KST)', 'from', 'from'),
            field('To', to, 'Last day, inclusive', 'to', 'to'),
            field('Initial capital (₩)', cash.input, 'KRW', 'cash', 'cash')))),
      h('details', { class: 'card more' }, h('summary', null, 'Costs and execution'),
        h('div', { class: 'card-body', style: { paddingTop: 0 } }, h('div', { class: 'form-grid' },
          ...costs.fields(field)))),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Parameters'), h('span', { class: 'hint' }, 'Vary two to see a heatmap')),
        h('div', { class: 'card-body stack' }, paramsBox, count)),
      h('div', { class: 'card' },
        h('div', { class: 'card-head' }, h('h2', null, 'Ranking and method')),
        h('div', { class: 'card-body stack' },
          h('div', { class: 'form-grid' },
            field('Rank runs by', metric, 'The best run, each walk-forward window\'s winner', 'metric', 'metric'),
            field('Max runs', maxRuns, 'A bound on the whole sweep (at most 10,000)', 'max-runs', 'max_runs')),
          h('div', { class: 'option-box' },
            h('label', { class: 'checkbox' }, randomOn, h('strong', null, 'Random draws'), h('span', { class: 'muted small' }, 'instead of the whole grid')),
            fill(randomBox,
              field('Sets to draw', randomRuns, 'Without replacement', 'random-runs', 'random.runs'),
              field('Seed', randomSeed, 'The same seed draws the same sets', 'random-seed', 'random.seed')), errorFor('random')),
          h('div', { class: 'option-box' },
            h('label', { class: 'checkbox' }, wfOn, h('strong', null, 'Walk-forward analysis'), h('span', { class: 'muted small' }, 'optimize in sample, then test on the next unseen window')),
            fill(wfBox,
              field('In-sample days', wfIn, 'Calendar days to optimize on', 'wf-in', 'walk_forward.in_sample_days'),
              field('Out-of-sample days', wfOut, 'Calendar days to test on; windows step by this', 'wf-out', 'walk_forward.out_of_sample_days'),
              h('div', { class: 'field' }, h('span', { class: 'label' }, 'Windows'), h('span', null, h('label', { class: 'checkbox' }, wfAnchored, 'Anchored: every window starts on the first day')))), errorFor('walk_forward')))),
      alert,
      h('div', { class: 'form-actions' }, h('a', { class: 'btn', href: '#/sweeps' }, 'Cancel'), submit)));
  await loadStrategy();
  return { el, title: 'New sweep' };
}

// ---- one sweep ----
export async function sweepPage(id) {
  let sweep = await api.get(`/api/sweeps/${id}`);
  const root = h('div');
  const cleanups = [];
  const runs = new Map();  // run number → run
  for (const r of sweep.runs || []) runs.set(r.run, r);
  const axes = sweep.spec?.axes || [];
  const names = axes.map((a) => a.name);
  const wf = Boolean(sweep.spec?.walk_forward);
  let colorKey = sweep.spec?.metric || 'sharpe';
  const rows = [...runs.values()];  // the table's rows (the same objects as in `runs`)

  // Live parts, rebuilt in place.
  const badge = h('span', { id: 'sweep-status' });
  const bar = progressBar(sweep.progress, true);
  bar.id = 'sweep-progress';
  const pctText = h('span', { class: 'pct', id: 'sweep-pct' });
  const countText = h('span', { class: 'muted', id: 'sweep-count' });
  const actions = h('div', { class: 'actions' });
  const errorBox = h('div');
  const summaryBox = h('div', { id: 'sweep-summary' });  // the best run and the statistics' tiles
  const analysisBox = h('div', { id: 'sweep-analysis' });  // PBO's histogram, the walk-forward
  const plotBody = h('div', { class: 'card-body' });
  const legend = h('div', { class: 'heat-legend', id: 'heatmap-legend' });
  const colorSelect = h('select', { id: 'heatmap-metric', class: 'auto-width', 'aria-label': 'Color by' }, METRICS.map((m) => h('option', { value: m.key, selected: m.key === colorKey }, m.label)));
  colorSelect.addEventListener('change', () => { colorKey = colorSelect.value; drawPlot(); });

  async function cancel() { try { await api.post(`/api/sweeps/${id}/cancel`); } catch (e) { toast(e.message, 'error'); } }
  async function remove() {
    if (!await confirmDialog(`Delete sweep #${id}?`, 'Its runs are deleted too. Backtests opened from them stay.')) return;
    try { await api.del(`/api/sweeps/${id}`); location.hash = '#/sweeps'; } catch (e) { toast(e.message, 'error'); }
  }
  function updateHead() {
    const v = sweep.status === 'done' ? 1 : Math.max(0, Math.min(1, sweep.progress || 0));
    badge.replaceChildren(statusBadge(sweep.status, v));
    badge.dataset.status = sweep.status;
    bar.firstChild.style.width = `${v * 100}%`;
    bar.setAttribute('aria-valuenow', String(Math.floor(v * 100)));
    pctText.textContent = `${Math.floor(v * 100)}%`;
    countText.textContent = `${f.int(sweep.runs_done)} of ${f.plural(sweep.runs_total, 'run')} done`;
    const running = sweep.status === 'queued' || sweep.status === 'running';
    actions.replaceChildren(...[
      running ? h('button', { class: 'btn', id: 'sweep-cancel', onclick: cancel }, 'Cancel') : null,
      sweep.strategy_id ? h('a', { class: 'btn', href: `#/sweeps/new?strategy=${sweep.strategy_id}` }, 'New sweep') : null,
      h('button', { class: 'btn ghost danger', onclick: remove }, 'Delete')].filter(Boolean));
    errorBox.replaceChildren(...(sweep.status === 'failed' ? [h('div', { class: 'alert error', id: 'sweep-error' }, h('strong', null, 'This sweep failed. '), sweep.error || '')]
      : sweep.status === 'canceled' ? [h('div', { class: 'alert warn' }, h('strong', null, 'Canceled. '), 'The runs stored before it stopped are kept below.')] : []));
  }

  // ---- the heatmap (two varying parameters) or the bars (one) ----
  const fullRuns = () => rows.filter((r) => r.phase === 'full');
  function drawPlot() {
    const m = metricOf(colorKey);
    const full = fullRuns();
    const cash = sweep.settings?.cash;
    const scale = colorScale(m, full.filter((r) => r.status === 'done').map((r) => r.metrics?.[m.key]), cash);
    legend.replaceChildren(...(full.some((r) => r.status === 'done') ? [
      h('span', { class: 'num', id: 'legend-min' }, m.fmt(scale.min)),
      h('span', { class: 'heat-gradient', style: { background: scale.gradient } }),
      h('span', { class: 'num', id: 'legend-max' }, m.fmt(scale.max)),
      h('span', { class: 'muted small' }, scale.center !== null ? `centered on ${m.fmt(scale.center)}${m.lower ? ' · lower is better' : ''}` : (m.lower ? 'lower is better' : 'higher is better')),
    ] : [h('span', { class: 'muted small' }, 'Cells fill in as runs finish.')]));
    if (axes.length === 2) plotBody.replaceChildren(heatmap(m, scale, full));
    else if (axes.length === 1) plotBody.replaceChildren(oneAxis(m, scale, full));
  }

  function heatmap(m, scale, full) {
    // x: the axis with more values (columns); y: the other, its highest value on top.
    const [xa, ya] = axes[1].values.length >= axes[0].values.length ? [axes[1], axes[0]] : [axes[0], axes[1]];
    const key = (x, y) => `${x}|${y}`;
    const byCell = new Map();
    for (const r of full) byCell.set(key(Number(r.params?.[xa.name]), Number(r.params?.[ya.name])), r);
    const nx = xa.values.length, ny = ya.values.length;
    const showText = nx <= 12;
    const tip = h('div', { class: 'heat-tip', hidden: true, id: 'heat-tip' });
    const grid = h('div', { class: `heat-grid${showText ? '' : ' dense'}`, style: { gridTemplateColumns: `auto repeat(${nx}, minmax(0, 1fr))` } });
    let filled = 0;
    const yValues = [...ya.values].reverse();
    for (const yv of yValues) {
      grid.append(h('div', { class: 'heat-label y num' }, numText(yv)));
      for (const xv of xa.values) {
        const r = byCell.get(key(xv, yv));
        const v = r?.metrics?.[m.key];
        const state = !r ? 'empty' : r.status === 'done' ? 'done' : 'failed';
        if (r) filled++;
        const cell = h('div', {
          class: `heat-cell is-${state}${r && state === 'done' && scale.strong(v) ? ' strong' : ''}`,
          'data-state': state, 'data-x': numText(xv), 'data-y': numText(yv), 'data-run': r ? r.run : undefined,
          'data-value': Number.isFinite(v) ? String(v) : undefined,
          style: state === 'done' && Number.isFinite(v) ? { background: scale.color(v) } : undefined,
          tabindex: r && state === 'done' ? '0' : undefined,
          'aria-label': `${xa.name} ${numText(xv)}, ${ya.name} ${numText(yv)}: ${r ? (state === 'done' ? m.fmt(v) : 'failed') : 'not run yet'}`,
        }, showText ? (state === 'done' ? m.fmt(v) : state === 'failed' ? '✕' : '') : '');
        cell.dataset.tip = r
          ? `${paramText(r.params, names)}\n${state === 'done' ? `${m.label} ${m.fmt(v)} · run ${r.run}${names.length ? '' : ''}` : `failed: ${r.error || ''}`}`
          : `${xa.name}=${numText(xv)}, ${ya.name}=${numText(yv)}\nnot run${sweep.spec?.random ? ' (not drawn)' : ' yet'}`;
        grid.append(cell);
      }
    }
    // Column labels: every one for a small grid, else one every `k` columns, spanning them.
    const k = nx <= 16 ? 1 : Math.ceil(nx / 8);
    grid.append(h('div', { style: { gridColumn: '1', gridRow: String(ny + 1) } }));
    for (let i = 0; i < nx; i += k) {
      grid.append(h('div', { class: `heat-label x num${k > 1 ? ' start' : ''}`, style: { gridColumn: `${i + 2} / span ${Math.min(k, nx - i)}`, gridRow: String(ny + 1) } }, numText(xa.values[i])));
    }
    const wrap = h('div', { class: 'heatmap', id: 'heatmap', 'data-cells': String(nx * ny), 'data-filled': String(filled),
      'data-done': String(full.filter((r) => r.status === 'done').length), 'data-metric': m.key },
    h('div', { class: 'heat-axis-y' }, `↑ ${ya.name}`), grid, h('div', { class: 'heat-axis-x' }, `${xa.name} →`), tip);
    const place = (cell, e) => {
      if (!cell?.dataset?.tip) { tip.hidden = true; return; }
      tip.replaceChildren(...cell.dataset.tip.split('\n').map((line, i) => h('div', { class: i ? 'muted' : 'mono' }, line)));
      tip.hidden = false;
      const box = wrap.getBoundingClientRect(), c = cell.getBoundingClientRect();
      const left = Math.min(Math.max(0, c.left - box.left + c.width / 2 - tip.offsetWidth / 2), box.width - tip.offsetWidth);
      tip.style.left = `${left}px`;
      tip.style.top = `${c.top - box.top - tip.offsetHeight - 6}px`;
      void e;
    };
    grid.addEventListener('mouseover', (e) => place(e.target.closest('.heat-cell'), e));
    grid.addEventListener('focusin', (e) => place(e.target.closest('.heat-cell'), e));
    grid.addEventListener('mouseleave', () => { tip.hidden = true; });
    const open = (cell) => { if (cell?.dataset.state === 'done') openRun(id, Number(cell.dataset.run)); };
    grid.addEventListener('click', (e) => open(e.target.closest('.heat-cell')));
    grid.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(e.target.closest('.heat-cell')); });
    return wrap;
  }

  function oneAxis(m, scale, full) {
    const a = axes[0];
    const byValue = new Map(full.map((r) => [Number(r.params?.[a.name]), r]));
    const bars = a.values.map((v) => {
      const r = byValue.get(v);
      const val = r?.status === 'done' ? r.metrics?.[m.key] : NaN;
      return { label: numText(v), value: val, color: Number.isFinite(val) ? scale.color(val) : '#e2e8f0',
        title: r ? `${a.name}=${numText(v)}: ${r.status === 'done' ? `${m.label} ${m.fmt(val)} (click to open)` : `failed: ${r.error}`}` : `${a.name}=${numText(v)}: not run yet`,
        onclick: r?.status === 'done' ? () => openRun(id, r.run) : null, attrs: { 'data-run': r?.run, 'data-state': r ? r.status : 'empty' } };
    });
    return h('div', { class: 'one-axis', id: 'param-chart', 'data-filled': String(full.length), 'data-cells': String(a.values.length) },
      barChart(bars, { format: m.fmt, height: 220 }), h('div', { class: 'heat-axis-x' }, a.name));
  }

  // ---- the table of every run ----
  const mcol = (key, label, fmt, cls) => ({ key, label, align: 'r', defaultDesc: key !== 'max_drawdown', value: (r) => (r.status === 'done' ? r.metrics?.[key] ?? null : null),
    render: (r) => (r.status === 'done' ? h('span', { class: cls ? f.dir(r.metrics?.[key]) : '' }, fmt(r.metrics?.[key])) : ''), hideSm: !['sharpe', 'total_return'].includes(key) && key !== sweep.spec?.metric });
  const columns = [
    { key: 'run', label: 'Run', render: (r) => h('span', { class: 'num' }, `#${r.run}`) },
    ...(wf ? [
      { key: 'phase', label: 'Phase', render: (r) => h('span', { class: `badge phase-${r.phase}` }, PHASES[r.phase] || r.phase) },
      { key: 'window', label: 'Window', align: 'r', value: (r) => (r.window === null || r.window === undefined ? null : r.window), render: (r) => (r.window === null || r.window === undefined ? '—' : String(r.window + 1)) },
    ] : []),
    ...names.map((n) => ({ key: `p:${n}`, label: n, align: 'r', value: (r) => r.params?.[n] ?? null, render: (r) => numText(r.params?.[n]) })),
    mcol('sharpe', 'Sharpe', (v) => f.num(v)),
    mcol('total_return', 'Return', (v) => f.pct(v, 2, true), true),
    mcol('cagr', 'CAGR', (v) => f.pct(v, 2, true), true),
    mcol('max_drawdown', 'Max DD', (v) => f.pct(-v)),
    mcol('sortino', 'Sortino', (v) => f.num(v)),
    mcol('calmar', 'Calmar', (v) => f.num(v)),
    mcol('profit_factor', 'PF', (v) => f.num(v)),
    mcol('win_rate', 'Win rate', (v) => f.pct(v, 1)),
    mcol('expectancy', 'Expectancy', (v) => f.krwCompact(v)),
    mcol('final_equity', 'Final equity', (v) => f.krwCompact(v)),
    { key: 'trades', label: 'Trades', align: 'r', value: (r) => r.metrics?.trades ?? null, render: (r) => (r.status === 'done' ? f.int(r.metrics?.trades) : ''), hideSm: true },
    { key: 'status', label: 'Status', render: (r) => (r.status === 'done' ? h('span', { class: 'badge done' }, 'Done') : h('span', { class: 'run-error' }, h('span', { class: 'badge failed' }, 'Failed'), ' ', h('span', { class: 'small' }, r.error || ''))) },
    { key: 'open', label: '', sortable: false, class: 'actions', render: (r) => (r.status === 'done' ? h('button', { class: 'btn small', type: 'button', 'data-open': r.run, onclick: () => openRun(id, r.run) }, 'Open') : null) },
  ];
  const table = sortableTable(columns, rows, { initial: { key: 'run' }, empty: 'No runs stored yet.', pageSize: 100, rowAttrs: (r) => ({ 'data-run': r.run, 'data-status': r.status, class: r.status === 'failed' ? 'failed-run' : '' }) });
  table.id = 'sweep-runs';

  // ---- the summary, once done ----
  function renderSummary() {
    const sm = sweep.summary;
    if (!sm) { summaryBox.replaceChildren(); analysisBox.replaceChildren(); return; }
    const m = metricOf(sm.metric);
    const taskRun = new Map(rows.map((r) => [r.task, r.run]));
    const best = sm.best;
    const bestRun = best ? taskRun.get(best.task) ?? best.task + 1 : null;
    const ov = sm.overfitting;
    const w = sm.walk_forward;
    const tile = (label, value, sub, cls = '', idAttr, help) => h('div', { class: 'metric', 'data-metric': idAttr, title: help || undefined },
      h('div', { class: 'k' }, label, help ? h('span', { class: 'help-dot', 'aria-hidden': 'true' }, '?') : null), h('div', { class: `v ${cls}`, id: idAttr }, value), sub ? h('div', { class: 's' }, sub) : null);
    const cards = [];
    cards.push(h('div', { class: 'card', id: 'best-run' },
      h('div', { class: 'card-head' }, h('h2', null, 'Best run'), h('span', { class: 'hint' }, `by ${m.label}${m.lower ? ' (lower is better)' : ''} over the full period${sm.failed_runs ? ` · ${f.plural(sm.failed_runs, 'failed run')} never win` : ''}`)),
      h('div', { class: 'card-body' }, best
        ? h('div', { class: 'best-row' },
          h('div', { class: 'stack' }, h('div', { class: 'mono best-params', id: 'best-params' }, paramText(best.params, names.length ? names : Object.keys(best.params || {}))),
            h('div', { class: 'row small' }, ...METRICS.slice(0, 4).concat(METRICS[9]).map((x) => h('span', null, h('span', { class: 'muted' }, `${x.label} `),
              h('span', { class: `num ${x.center === 0 ? f.dir(best.metrics?.[x.key]) : ''}${x.key === m.key ? ' strong-text' : ''}` }, x.fmt(best.metrics?.[x.key])))))),
          h('button', { class: 'btn primary', id: 'open-best', type: 'button', onclick: () => openRun(id, bestRun) }, `Open run #${bestRun}`))
        : h('p', { class: 'muted' }, 'No run succeeded.'))));
    const tiles = [];
    if (ov) {
      tiles.push(tile('PBO', f.pct(ov.pbo, 1), `${f.int(ov.splits)} splits of ${f.plural(ov.runs, 'run')}`, ov.pbo >= 0.5 ? 'status-error' : '', 'pbo', PBO_HELP));
    }
    if (w) {
      tiles.push(tile('Walk-forward efficiency', Number.isFinite(w.efficiency) ? f.num(w.efficiency) : 'n/a', Number.isFinite(w.efficiency) ? (w.efficiency >= 0.5 ? 'robust (≥ 0.5)' : 'weak (< 0.5)') : 'in-sample mean not positive', '', 'wf-efficiency', WFE_HELP),
        tile('Out-of-sample return', f.pct(w.out_of_sample?.total_return, 2, true), `${f.int(w.out_of_sample?.days)} days stitched`, f.dir(w.out_of_sample?.total_return), 'wf-oos-return'),
        tile('Out-of-sample, annualized', f.pct(w.out_of_sample?.annualized, 2, true), `in sample ${f.pct(w.in_sample_annualized_mean, 2, true)} (mean of windows)`, f.dir(w.out_of_sample?.annualized), 'wf-oos-annualized'),
        tile('One optimization, same span', f.pct(w.in_sample_return, 2, true), 'the full-period best set', f.dir(w.in_sample_return), 'wf-is-return'));
    }
    if (tiles.length) cards.push(h('div', { class: 'metrics', id: 'sweep-stats' }, ...tiles));
    summaryBox.replaceChildren(...cards);
    cards.length = 0;
    if (ov) {
      const labels = ov.logit_histogram.map((_, i) => -5 + i * 0.5);
      const warnColor = css('--warn') || '#b45309';
      cards.push(h('div', { class: 'card', id: 'pbo-card' },
        h('div', { class: 'card-head' }, h('div', null, h('h2', null, 'Overfitting'), h('p', { class: 'hint', id: 'pbo-text' }, PBO_TEXT, ' ', h('abbr', { title: PBO_HELP, class: 'help-link' }, 'How is it computed?'))),
          h('span', { class: 'hint' }, `mean logit ${f.num(ov.mean_logit)}`)),
        h('div', { class: 'card-body' },
          h('p', { class: 'small', style: { marginBottom: '8px' } }, 'Logits of the in-sample winner\'s out-of-sample rank, one per split. Bars left of 0 (', h('span', { style: { color: warnColor } }, '■'), ') are splits where it did no better than the median: their share is the PBO.'),
          h('div', { class: 'hist', id: 'pbo-histogram' }, barChart(ov.logit_histogram.map((n, i) => ({
            label: Number.isInteger(labels[i]) ? String(labels[i]) : '', value: n, color: labels[i] < 0 ? warnColor : '#2563eb',
            title: `logit ${labels[i]} to ${labels[i] + 0.5}: ${f.int(n)} splits`,
          })), { height: 160, format: (v) => f.int(v), labelEvery: 1 })))));
    }
    if (w) {
      const chartEl = h('div', { class: 'chart', id: 'wf-chart' });
      const windows = w.windows || [];
      const wtable = sortableTable([
        { key: 'i', label: '#', render: (x) => String(x.i + 1) },
        { key: 'in_from', label: 'In sample', render: (x) => h('span', { class: 'num' }, `${f.date(x.in_from)} → ${inclusiveEnd(x.in_to)}`) },
        { key: 'out_from', label: 'Out of sample', render: (x) => h('span', { class: 'num' }, `${f.date(x.out_from)} → ${inclusiveEnd(x.out_to)}`) },
        { key: 'params', label: 'Chosen', sortable: false, render: (x) => h('span', { class: 'mono small' }, paramText(x.params, names)) },
        { key: 'in_sample_value', label: `In-sample ${m.label}`, align: 'r', render: (x) => m.fmt(x.in_sample_value) },
        { key: 'out_of_sample_value', label: `Out-of-sample ${m.label}`, align: 'r', render: (x) => h('span', { class: m.center === 0 ? f.dir(x.out_of_sample_value) : '' }, m.fmt(x.out_of_sample_value)) },
        { key: 'oos_return', label: 'Test return', align: 'r', value: (x) => x.out_of_sample_metrics?.total_return ?? null, render: (x) => h('span', { class: f.dir(x.out_of_sample_metrics?.total_return) }, f.pct(x.out_of_sample_metrics?.total_return, 2, true)), hideSm: true },
        { key: 'open', label: '', sortable: false, class: 'actions', render: (x) => (taskRun.has(x.out_of_sample_task) ? h('button', { class: 'btn small', type: 'button', onclick: () => openRun(id, taskRun.get(x.out_of_sample_task)) }, 'Open test') : null) },
      ], windows.map((x, i) => ({ ...x, i })), { initial: { key: 'i' }, empty: 'No windows.' });
      wtable.id = 'wf-windows';
      cards.push(h('div', { class: 'card', id: 'wf-card' },
        h('div', { class: 'card-head' }, h('div', null, h('h2', null, 'Walk-forward: out of sample'), h('p', { class: 'hint', id: 'wf-text' }, WFE_TEXT, ' ', h('abbr', { title: WFE_HELP, class: 'help-link' }, 'How to read it?'))),
          h('div', { class: 'legend' },
            h('span', null, h('span', { class: 'swatch', style: { background: '#2563eb' } }), 'Out of sample (stitched test windows)'),
            h('span', null, h('span', { class: 'swatch dashed' }), 'In sample (best over all the data)'))),
        h('div', { class: 'card-body' }, chartEl),
        wtable));
      const draw = () => {
        if (!chartEl.isConnected) { requestAnimationFrame(draw); return; }
        cleanups.push(lineChart(chartEl, [
          { name: 'Out of sample', color: '#2563eb', points: (w.curve || []).map((p) => ({ ts: p.ts, value: p.out_of_sample })) },
          { name: 'In sample', color: '#94a3b8', dashed: true, width: 1.5, points: (w.curve || []).map((p) => ({ ts: p.ts, value: p.in_sample })) },
        ], { interval: sweep.settings?.interval || '1d' }));
      };
      requestAnimationFrame(draw);
    }
    analysisBox.replaceChildren(...cards);
  }

  // ---- live: runs arrive over the `sweep` event ----
  let timer = null;
  function redraw() {
    timer = null;
    drawPlot();
    table.refresh();
  }
  // Redrawing rebuilds the heatmap and sorts the table: less often for a big sweep.
  const later = () => { if (!timer) timer = setTimeout(redraw, rows.length > 2000 ? 800 : 120); };
  function addRun(r) {
    if (runs.has(r.run)) return false;
    runs.set(r.run, r);
    rows.push(r);
    return true;
  }
  let loading = null;
  let catchUp = null;  // a pending reload for runs the event stream did not carry
  async function reload() {
    if (loading) return loading;
    loading = (async () => {
      try {
        const full = await api.get(`/api/sweeps/${id}`);
        sweep = full;
        for (const r of full.runs || []) addRun(r);
        updateHead();
        redraw();
        renderSummary();
      } finally { loading = null; }
    })();
    return loading;
  }
  const unsub = subscribe('sweep', (e) => {
    if (e.id !== id) return;
    if (e.status === 'deleted') { location.hash = '#/sweeps'; return; }
    if (isFinal(sweep.status)) return;  // late news about a finished sweep
    if (e.run && addRun(e.run)) later();
    // The server announces at most one run per 20 ms: fetch the ones it left out, once a second.
    if ((e.runs_done || 0) > runs.size && !catchUp) {
      catchUp = setTimeout(() => { catchUp = null; reload(); }, 1000);
    }
    sweep = { ...sweep, status: e.status, progress: e.progress, runs_done: Math.max(sweep.runs_done || 0, e.runs_done || 0), error: e.error ?? sweep.error };
    updateHead();
    if (isFinal(e.status)) reload();
  });
  const unsubReconnect = subscribe('reconnected', () => { if (!isFinal(sweep.status) || !sweep.summary) reload(); });
  cleanups.push(unsub, unsubReconnect, () => clearTimeout(timer), () => clearTimeout(catchUp));

  const s0 = sweep.settings || {};
  const spec = sweep.spec || {};
  const fixed = Object.entries(spec.fixed || {});
  root.append(
    h('div', { class: 'crumbs' }, h('a', { href: '#/sweeps' }, 'Sweeps'), ` / #${id}`),
    h('div', { class: 'page-head' },
      h('div', null,
        h('div', { class: 'row', style: { gap: '10px' } }, h('h1', null, sweep.strategy_name || 'Sweep', ' ', h('span', { class: 'muted', style: { fontWeight: 500 } }, `#${id}`)), badge,
          h('span', { class: `badge kind-${sweep.kind}` }, KINDS[sweep.kind] || sweep.kind)),
        h('p', { class: 'sub' }, h('span', { class: 'mono' }, (s0.symbols || []).join(', ')), ` · ${s0.interval} bars · ${s0.from || 'first bar'} → ${s0.to || 'last bar'} · ${f.krw(s0.cash)} · ranked by ${metricOf(spec.metric).label}`),
        h('p', { class: 'sub small' }, axes.map((a) => `${a.name}: ${a.values.length > 8 ? `${numText(a.values[0])} … ${numText(a.values[a.values.length - 1])} (${a.values.length} values)` : a.values.map(numText).join(', ')}`).join(' · '),
          spec.random ? ` · ${f.int(spec.random.runs)} random draws (seed ${spec.random.seed})` : '',
          spec.walk_forward ? ` · walk-forward ${spec.walk_forward.in_sample_days} / ${spec.walk_forward.out_of_sample_days} days${spec.walk_forward.anchored ? ', anchored' : ''}` : '',
          fixed.length ? h('span', { class: 'muted' }, ` · fixed ${fixed.map(([k, v]) => `${k}=${numText(v)}`).join(', ')}`) : '')),
      actions),
    h('div', { class: 'card' }, h('div', { class: 'card-body' }, h('div', { class: 'progress-row' }, h('div', { style: { flex: 1 } }, bar), pctText), h('div', { class: 'small', style: { marginTop: '6px' } }, countText))),
    errorBox,
    summaryBox,
    axes.length === 1 || axes.length === 2 ? h('div', { class: 'card', id: 'plot-card' },
      h('div', { class: 'card-head' },
        h('div', null, h('h2', null, axes.length === 2 ? 'Heatmap' : `${metricOf(colorKey).label} by ${axes[0].name}`),
          h('span', { class: 'hint' }, `Full-period runs${axes.length === 2 ? ': one cell per combination' : ''}. Hover for the values, click to open the run as a backtest.`)),
        h('label', { class: 'row small', style: { gap: '6px' } }, 'Color by', colorSelect)),
      h('div', { class: 'card-body', style: { paddingBottom: 0 } }, legend),
      plotBody) : null,
    h('div', { class: 'card' },
      h('div', { class: 'card-head' }, h('div', null, h('h2', null, 'Every run'), h('span', { class: 'hint' }, 'Click a column to sort. Open rebuilds a run in full as an ordinary backtest.'))),
      table));
  root.insertBefore(analysisBox, root.lastChild);
  updateHead();
  drawPlot();
  renderSummary();
  return {
    el: root,
    title: `Sweep #${id}`,
    // An event may have come between the first GET and subscribing: read the state again.
    mounted: () => { if (!isFinal(sweep.status)) reload(); },
    cleanup: () => cleanups.forEach((c) => { try { c(); } catch { /* chart already gone */ } }),
  };
}
